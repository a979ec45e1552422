// `cargo xtask bench extension`: figures, not a test. Headless Chromium with the built
// extension and the real backend (harness.mjs), printing a table:
//  - service-worker cold start to first answer (stopped by CDP, then one message);
//  - on a 10,000-element feed page with Upwex widgets: first paint -> every control
//    labelled, and per widget: added by the parser -> its chip (beside: -> the next frame);
//    the content script's main-thread time (its own debug counter, on only for the bench via
//    <meta name="upwex-credits-debug">) beside a plain-JavaScript classifier doing the same
//    recognition in the page (and in a fresh isolated world, as a content script runs), in
//    total and paired (full scans on the same page state);
//    where the time goes (the script's phase marks); a "Load more" of 1,000 tiles: its
//    main-thread time and the elements the script visited;
//  - click -> badge latency in the same tab and in a second tab;
//  - retained heap and DOM nodes (DevTools protocol, after GC) before and after 50 and 100
//    client-side navigations between the feed, the job slider and a proposal view.
import {
  configureExtension, createTeam, launchBrowser, routeUpwork, startBackend, stopServiceWorker, syncNow,
  upworkPages, upworkUrl, waitForChips, waitForContentScript,
} from '../e2e/harness.mjs';
import { bigFeed, moreTiles } from '../fixtures/bigfeed.mjs';
import { readFile } from 'node:fs/promises';
import { plainClassifier } from './plain-classifier.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const WIDGETS = 5;
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), min: s[0], n: s.length };
};
const fmt = (x, unit) => (Number.isNaN(x) ? '' : unit === 'x' ? `${x.toFixed(2)}x` : `${x.toFixed(1)} ms`);
const rows = [];
const notes = [];
const row = (what, st, note = '', unit = 'ms') => st.n && !Number.isNaN(st.median) && rows.push([what, fmt(st.median, unit), fmt(st.p95, unit), fmt(st.min, unit), String(st.n), note]);

// The feed fixture (feed.js: tiles, the job slider by pushState, Back) plus a proposal view
// (proposal.html's <main>) that window.__spa('proposal') swaps in by pushState; __spa('feed')
// and __spa('slider') go back to the feed and open a job's slider. Driven from the bench.
async function spaFeed() {
  const feed = await readFile(new URL('../fixtures/feed.html', import.meta.url), 'utf8');
  const proposal = await readFile(new URL('../fixtures/proposal.html', import.meta.url), 'utf8');
  const main = proposal.slice(proposal.indexOf('<main'), proposal.indexOf('</main>') + '</main>'.length);
  return feed
    .replace("<head>", "<head><meta name=\"upwex-credits-debug\">")
    .replace("</body>", `<template id="proposal-view">${main}</template>\n<script src="/fixtures/bench-spa.js" defer></script>\n</body>`);
}

const backend = await startBackend();
const team = await createTeam(backend, { plan: 'max', seats: 4 }); // 2000 credits
const browser = await launchBrowser();

// The big feed, with a probe (an external script: the CSP forbids inline ones, and one in
// <head>, so it sees the parser add every widget) that notes, per Upwex widget, when it was
// added and when its first chip was, and when every widget carried one.
const probe = `(() => {
  // Live collections, read by index: no wrapper for any other element is made in the page's
  // world (the plain classifier below then pays its first touch, as the content script does).
  const want = ${WIDGETS};
  const widgets = document.getElementsByClassName('upwex-widget');
  const chips = document.getElementsByTagName('upwex-credits-chip');
  const widgetAt = window.__widgetAt = new Map();
  const chipAt = window.__chipAt = new Map();
  const frameAt = new Map();
  let seenWidgets = 0;
  let seenChips = 0;
  new MutationObserver(() => {
    const now = performance.now();
    for (; seenWidgets < widgets.length; seenWidgets++) {
      const w = widgets[seenWidgets];
      widgetAt.set(w, now);
      requestAnimationFrame(() => frameAt.set(w, performance.now()));
    }
    if (chips.length !== seenChips) {
      seenChips = chips.length;
      for (const c of chips) {
        const w = c.closest('.upwex-widget');
        if (w && !chipAt.has(w)) chipAt.set(w, now);
      }
    }
    if (window.__labelledAt === undefined && chipAt.size >= want) window.__labelledAt = now;
  }).observe(document, { childList: true, subtree: true });
  window.__widgetLatency = () => [...widgetAt].filter(([w]) => chipAt.has(w)).map(([w, t]) => chipAt.get(w) - t);
  window.__widgetFrame = () => [...widgetAt].filter(([w]) => frameAt.has(w)).map(([w, t]) => frameAt.get(w) - t);
  // A widget's first render: the frame after the parser added it (its rAF callback, before
  // that frame's paint); a chip in before it (<= 0) is drawn in that same frame.
  window.__renderToChip = () => [...frameAt].filter(([w]) => chipAt.has(w)).map(([w, t]) => chipAt.get(w) - t);
  window.__lastWidgetAt = () => Math.max(...widgetAt.values());
})();`;
const page = bigFeed({ elements: 10_000, widgets: WIDGETS })
  .replace('<head>', '<head><meta name="upwex-credits-debug"><script src="/fixtures/bench-probe.js"></script>');
await routeUpwork(browser.context, {
  ...upworkPages,
  '/nx/find-work/best-matches': { body: page },
  '/nx/find-work/most-recent': { body: await spaFeed() },
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

// 2. The 10,000-element feed: first render -> labelled; the content script's main-thread
//    time beside the plain-JS classifier on the same page; where the time goes; then a
//    "Load more" of 1,000 tiles on the same page.
{
  const labelled = [];
  const perWidget = [];
  const widgetFrame = [];
  const renderToChip = [];
  const afterLast = [];
  const afterParse = [];
  const scriptMs = [];
  const touched = [];
  const plain = [];
  const plainIsolated = [];
  const scanMs = [];
  const plainPaired = [];
  const phases = {};
  const more = { ms: [], visits: [], added: [], chip: [], frame: [] };
  let elements = 0;
  const html = (tab, name) => tab.evaluate((n) => document.documentElement.getAttribute(n), name);
  for (let i = 0; i < RUNS; i++) {
    const tab = await browser.context.newPage();
    await tab.goto(upworkUrl('/nx/find-work/best-matches'));
    // The probe's own flag, polled once per frame: the harness's chips() walks every element
    // and would compete with the page it measures.
    await tab.waitForFunction(() => window.__labelledAt !== undefined, null, { timeout: 30_000 });
    await tab.waitForTimeout(100); // the last describe answers
    const t = await tab.evaluate(() => {
      const paint = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')
        ?? performance.getEntriesByType('paint')[0];
      return {
        render: paint?.startTime ?? performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
        parsed: performance.getEntriesByType('navigation')[0].domContentLoadedEventStart,
        labelled: window.__labelledAt,
        perWidget: window.__widgetLatency(),
        widgetFrame: window.__widgetFrame(),
        renderToChip: window.__renderToChip(),
        lastWidget: window.__lastWidgetAt(),
        scriptMs: Number(document.documentElement.getAttribute('credits-debug-ms')),
        touched: Number(document.documentElement.getAttribute('credits-debug-visits') ?? NaN),
        marks: JSON.parse(document.documentElement.getAttribute('credits-debug-marks') ?? '{}'),
        elements: document.getElementsByTagName('*').length,
      };
    });
    elements = t.elements;
    labelled.push(t.labelled - t.render);
    afterParse.push(t.labelled - t.parsed);
    perWidget.push(...t.perWidget);
    renderToChip.push(...t.renderToChip);
    afterLast.push(t.labelled - t.lastWidget);
    widgetFrame.push(...t.widgetFrame);
    for (const [name, at] of Object.entries(t.marks)) (phases[name] ??= []).push(at - t.render);
    scriptMs.push(t.scriptMs);
    touched.push(t.touched);
    // The same recognition in plain JS (no messaging, no drawing): first in a fresh isolated
    // world, as a content script runs (its first touch of each element makes a wrapper in
    // that world's own map), then in the page's own world.
    const cdp = await browser.context.newCDPSession(tab);
    const { frameTree } = await cdp.send('Page.getFrameTree');
    const world = await cdp.send('Page.createIsolatedWorld', { frameId: frameTree.frame.id, worldName: `plain-${i}` });
    const isolated = await cdp.send('Runtime.evaluate', {
      expression: `(${plainClassifier})(${WIDGETS})`, contextId: world.executionContextId, returnByValue: true,
    });
    if (isolated.exceptionDetails) throw new Error(JSON.stringify(isolated.exceptionDetails));
    plainIsolated.push(isolated.result.value);
    await cdp.detach();
    plain.push(await tab.evaluate(plainClassifier, WIDGETS));
    // Paired, in the same state of the page: the content script's full scan (walk + describe
    // message, no drawing) and the plain classifier, alternately.
    for (let k = 0; k < 3; k++) {
      await tab.evaluate(() => document.dispatchEvent(new Event('upwex-credits-debug-scan')));
      const scan = await html(tab, 'credits-debug-scan-ms');
      if (scan === null) break; // a content script without the bench's scan hook
      scanMs.push(Number(scan));
      plainPaired.push(await tab.evaluate(plainClassifier, WIDGETS));
    }
    // Load more: 1,000 tiles (one Upwex widget among them) appended at once.
    const before = { ms: Number(await html(tab, 'credits-debug-ms')), visits: Number(await html(tab, 'credits-debug-visits')) };
    const added = await tab.evaluate((tiles) => {
      const list = document.querySelector('[data-test="job-tile-list"]');
      const count = document.getElementsByTagName('*').length;
      list.insertAdjacentHTML('beforeend', tiles); // (parsing the HTML is the page's own cost)
      window.__moreAt = performance.now();
      const elements = document.getElementsByTagName('*').length - count;
      // When the page could first show them: the next frame after the insertion.
      return new Promise((done) => requestAnimationFrame(() => done({ elements, frame: performance.now() - window.__moreAt })));
    }, moreTiles(100_000, 1_000, 1));
    await tab.waitForFunction((n) => window.__chipAt.size >= n, WIDGETS + 1, { timeout: 30_000 });
    await tab.waitForTimeout(100);
    more.ms.push(Number(await html(tab, 'credits-debug-ms')) - before.ms);
    more.visits.push(Number(await html(tab, 'credits-debug-visits') ?? NaN) - before.visits);
    more.added.push(added.elements);
    more.frame.push(added.frame);
    more.chip.push(await tab.evaluate(() => Math.max(...[...window.__chipAt.values()]) - window.__moreAt));
    await tab.close();
  }
  const ratio = (a, b) => stats(a).median / stats(b).median;
  row(`feed (${elements} elements, ${WIDGETS} widgets): first paint -> all labelled`, stats(labelled), 'the parser is still adding widgets');
  row('  a widget added by the parser -> its chip', stats(perWidget), `first render to labelled, per widget (${perWidget.length})`);
  row('  a widget added by the parser -> the next frame', stats(widgetFrame), 'the page\'s own parsing and layout');
  const within50 = renderToChip.filter((x) => x <= 50).length;
  row('  a widget\'s first render (the next frame) -> its chip', stats(renderToChip),
    `per widget; <= 0: in that same frame; ${within50} of ${renderToChip.length} within 50 ms`);
  row('  the parser adds the last widget -> all labelled', stats(afterLast), 'what remains after the parser');
  row('  parsed (DOMContentLoaded) -> all labelled', stats(afterParse), '< 0: all labelled before the parser is done');
  row('  content script main-thread time (total, that page)', stats(scriptMs),
    `scan while parsing + describe + chips${touched.some(Number.isNaN) ? '' : `; elements the script touched: ${stats(touched).median}`}`);
  row('  plain-JS classifier in the page, same recognition', stats(plain), 'walk + names + rules, no UI');
  row('  main-thread ratio, content script / plain JS', { median: ratio(scriptMs, plain), p95: NaN, min: NaN, n: RUNS }, 'total on the page: median / median', 'x');
  // The same, run by run (both on one page load, so under the same load of the machine:
  // the ratio of medians mixes runs the machine made slow for one side only).
  row('  same, each run\'s own ratio', stats(scriptMs.map((ms, i) => ms / plain[i])), 'total on the page, paired by run', 'x');
  row('  plain-JS classifier in a fresh isolated world', stats(plainIsolated), 'as a content script: its first touch');
  row('  main-thread ratio, content script / plain JS, both isolated', { median: ratio(scriptMs, plainIsolated), p95: NaN, min: NaN, n: RUNS }, 'total on the page', 'x');
  row('  content script full scan, paired with the plain JS', stats(scanMs), 'walk + describe message, same page state');
  row('  plain-JS classifier, paired', stats(plainPaired));
  row('  main-thread ratio, paired', { median: ratio(scanMs, plainPaired), p95: NaN, min: NaN, n: scanMs.length }, 'full scan / plain JS', 'x');
  for (const [name, xs] of Object.entries(phases)) row(`  where the time goes: first paint -> ${name}`, stats(xs));
  row(`load more: ${stats(more.added).median} elements (1,000 tiles) -> main-thread time`, stats(more.ms),
    more.visits.some(Number.isNaN) ? '' : `elements the script touched: ${stats(more.visits).median}`);
  row('  load more -> its widget labelled', stats(more.chip));
  row('  load more -> the next frame (the page\'s own layout)', stats(more.frame), 'no chip can show earlier');
}

// 4. No leaks: client-side navigations between the feed, the job slider and a proposal
//    (feed.js's pushState slider and Back; a proposal view swapped in by pushState), with
//    the DevTools protocol's garbage collection, heap and DOM counters before and after.
{
  const tab = await browser.context.newPage();
  await tab.goto(upworkUrl('/nx/find-work/most-recent'));
  await waitForContentScript(tab);
  await waitForChips(tab, 0);
  const cdp = await browser.context.newCDPSession(tab);
  const measure = async () => {
    await tab.evaluate(() => document.dispatchEvent(new Event('upwex-credits-debug-held')));
    for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const { nodes, jsEventListeners } = await cdp.send('Memory.getDOMCounters');
    const held = JSON.parse(await tab.evaluate(() => document.documentElement.getAttribute('credits-debug-held')) ?? '{}');
    return { heap: usedSize / 1024 / 1024, nodes, listeners: jsEventListeners, ...held };
  };
  const go = (view) => tab.evaluate((v) => window.__spa(v), view);
  await go('proposal');
  await waitForChips(tab, 4);
  await go('feed');
  await waitForChips(tab, 0);
  const views = ['slider', 'feed', 'proposal', 'feed'];
  const navigate = async (n) => {
    for (let i = 0; i < n; i++) {
      const view = views[i % views.length];
      await go(view);
      if (view === 'slider') await waitForChips(tab, 1); // its Job Assistant appears ~300 ms later
      if (view === 'proposal') await waitForChips(tab, 4); // its shadow-root Answer ~200 ms later
      if (view === 'feed') await waitForChips(tab, 0);
    }
  };
  const before = await measure();
  await navigate(50);
  const after = await measure();
  await navigate(50);
  const after100 = await measure();
  await tab.close();
  const held = (x) => (x.tracked === undefined ? '' : `, ${x.tracked} controls / ${x.containers} containers held`);
  const mb = (x) => `${x.heap.toFixed(2)} MB heap, ${x.nodes} DOM nodes, ${x.listeners} listeners${held(x)}`;
  notes.push(`client-side navigations (feed, slider, proposal), on the feed after GC (DevTools protocol: Runtime.getHeapUsage, Memory.getDOMCounters):
  before:    ${mb(before)}
  after 50:  ${mb(after)}
  after 100: ${mb(after100)}`);
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
    await a.waitForFunction(() => !document.querySelector('button[aria-busy="true"][data-sim="generate"]:not([data-expect="none"])')); // (longer on a loaded machine)
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
for (const n of notes) console.log(`\n${n}`);
