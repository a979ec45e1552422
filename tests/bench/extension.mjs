// `cargo xtask bench extension`: figures, not a test. Headless Chromium with the built
// extension and the real backend (harness.mjs), printing a table:
//  - service-worker cold start to first answer (stopped by CDP, then one message);
//  - on a 10,000-element feed page with Upwex widgets: first render -> every control
//    labelled, and the content script's main-thread time (its own debug counter, on only
//    for the bench via <meta name="upwex-credits-debug">), beside a plain-JavaScript
//    classifier doing the same recognition in the page;
//  - click -> badge latency in the same tab and in a second tab.
import {
  configureExtension, createTeam, launchBrowser, routeUpwork, startBackend, stopServiceWorker, syncNow,
  upworkPages, upworkUrl, waitForChips, waitForContentScript,
} from '../e2e/harness.mjs';
import { bigFeed } from '../fixtures/bigfeed.mjs';
import { plainClassifier } from './plain-classifier.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const WIDGETS = 5;
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), min: s[0], n: s.length };
};
const ms = (x) => `${x.toFixed(1)} ms`;
const rows = [];
const row = (what, st, note = '') => rows.push([what, ms(st.median), ms(st.p95), ms(st.min), String(st.n), note]);

const backend = await startBackend();
const team = await createTeam(backend, { plan: 'max', seats: 4 }); // 2000 credits
const browser = await launchBrowser();

// The big feed, with a probe (an external script: the CSP forbids inline ones) that notes
// when every Upwex control carries its chip.
const probe = `(() => {
  const want = ${WIDGETS};
  const count = () => document.querySelectorAll('upwex-credits-chip').length;
  const done = () => { window.__labelledAt = performance.now(); obs.disconnect(); };
  const obs = new MutationObserver(() => { if (count() >= want) done(); });
  obs.observe(document.documentElement, { childList: true, subtree: true });
})();`;
const page = bigFeed({ elements: 10_000, widgets: WIDGETS })
  .replace('<head>', '<head><meta name="upwex-credits-debug"><script src="/fixtures/bench-probe.js"></script>');
await routeUpwork(browser.context, {
  ...upworkPages,
  '/nx/find-work/best-matches': { body: page },
  '/fixtures/bench-probe.js': { body: probe, contentType: 'text/javascript' },
});
await configureExtension(browser, { url: backend.url, token: team.token });
await syncNow(browser);

// 1. Service-worker cold start to first answer.
{
  const ext = await browser.openExtensionPage('extension/popup.html');
  const roundTrip = () => ext.evaluate(async () => {
    const t0 = performance.now();
    await chrome.runtime.sendMessage({ type: 'page:version' });
    return performance.now() - t0;
  });
  const cold = [];
  const warm = [];
  for (let i = 0; i < RUNS; i++) {
    await stopServiceWorker(browser.context, ext);
    cold.push(await roundTrip());
    warm.push(await roundTrip());
  }
  row('service worker: cold start -> first answer', stats(cold), 'WASM compile + state load + reply');
  row('service worker: warm message round trip', stats(warm));
  await ext.close();
}

// 1b. The popup: opened -> the worker's first view drawn (the page loads no WASM); beside it,
//     what importing and initialising the WASM in a page costs (the alternative design of
//     extension/README.md, "The popup", would pay it before its first draw).
{
  const drawn = [];
  const wasm = [];
  for (let i = 0; i < RUNS; i++) {
    const popup = await browser.openExtensionPage('extension/popup.html');
    drawn.push(await popup.evaluate(async () => {
      for (;;) {
        const [mark] = performance.getEntriesByName('popup-drawn');
        if (mark) return mark.startTime;
        await new Promise((r) => setTimeout(r, 5));
      }
    }));
    await popup.close();
    const page = await browser.openExtensionPage('extension/options.html');
    wasm.push(await page.evaluate(async () => {
      const t0 = performance.now();
      const m = await import(`./pkg/credits_extension.js?fresh=${Math.random()}`);
      await m.default({ module_or_path: `./pkg/credits_extension_bg.wasm?fresh=${Math.random()}` });
      return performance.now() - t0;
    }));
    await page.close();
  }
  row('popup: opened -> first figures drawn', stats(drawn), 'navigation start -> the worker\'s view rendered');
  row('an extension page: import + init the WASM', stats(wasm), 'what a popup running the WASM adds first');
}

// 2. The 10,000-element feed: first render -> all labelled; content-script main-thread time;
//    the plain-JS classifier on the same page.
{
  const labelled = [];
  const scriptMs = [];
  const plain = [];
  let elements = 0;
  for (let i = 0; i < RUNS; i++) {
    const tab = await browser.context.newPage();
    await tab.goto(upworkUrl('/nx/find-work/best-matches'));
    await waitForContentScript(tab);
    await waitForChips(tab, WIDGETS, { timeout: 30_000 });
    await tab.waitForFunction(() => window.__labelledAt !== undefined);
    const t = await tab.evaluate(() => {
      const paint = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')
        ?? performance.getEntriesByType('paint')[0];
      return {
        render: paint?.startTime ?? performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
        labelled: window.__labelledAt,
        scriptMs: Number(document.documentElement.getAttribute('credits-debug-ms')),
        elements: document.getElementsByTagName('*').length,
      };
    });
    elements = t.elements;
    labelled.push(t.labelled - t.render);
    scriptMs.push(t.scriptMs);
    // The same recognition in plain JS, in the page's own world (no messaging, no drawing).
    plain.push(await tab.evaluate(plainClassifier, WIDGETS));
    await tab.close();
  }
  row(`feed (${elements} elements, ${WIDGETS} widgets): first render -> all labelled`, stats(labelled), 'includes the worker round trip');
  row('  content script main-thread time (total, that page)', stats(scriptMs), 'scan + describe + chips');
  row('  plain-JS classifier in the page, same recognition', stats(plain), 'walk + names + rules, no UI');
}

// 3. Click -> badge, same tab and a second tab (one clock: timeOrigin + now).
{
  const a = await browser.context.newPage();
  const b = await browser.context.newPage();
  await a.goto(upworkUrl('/nx/proposals/job/~021998744339961847531/apply/'));
  await b.goto(upworkUrl('/nx/find-work/most-recent'));
  await waitForContentScript(a);
  await waitForContentScript(b);
  await waitForChips(a, 4);
  const watch = (p) => p.evaluate(() => new Promise((resolve) => {
    const count = document.querySelector('upwex-credits-badge').shadowRoot.querySelector('.count');
    const obs = new MutationObserver(() => { obs.disconnect(); resolve(performance.timeOrigin + performance.now()); });
    obs.observe(count, { childList: true, characterData: true, subtree: true });
  }));
  const same = [];
  const other = [];
  for (let i = 0; i < RUNS * 2; i++) {
    const inA = watch(a);
    const inB = watch(b);
    await a.waitForTimeout(50);
    const t0 = await a.evaluate(() => {
      const button = [...document.querySelectorAll('button')].find((x) => x.textContent.trim() === 'Answer with AI');
      const t = performance.timeOrigin + performance.now();
      button.click();
      return t;
    });
    same.push((await inA) - t0);
    other.push((await inB) - t0);
    await a.waitForTimeout(250); // the widget is busy for 150 ms after a click
  }
  row('click -> badge, same tab', stats(same), 'outbox saved before the ack');
  row('click -> badge, second tab', stats(other), 'worker broadcast');
}

await browser.close();
await backend.stop();

const head = ['measure', 'median', 'p95', 'min', 'n', 'note'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`\nextension benchmarks (headless Chromium, ${RUNS} runs)\n`);
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
