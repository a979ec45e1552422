// Two tabs: a click in one moves the badge in the other at once (before any sync), and the
// toolbar icon's badge shows the same number. The badge's tones: green, amber when low (the
// option's threshold), and its split on focus.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  api, badge, configureExtension, createTeam, launchBrowser, paths, routeUpwork, startBackend, syncNow, upworkUrl,
  shortDay, waitForBadge, waitForChips, waitForContentScript, waitForRows, workerState,
} from './harness.mjs';

let browser;
let backend;
let team;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { plan: 'lite', seats: 1 }); // 100
  await backend.cli(['topup', '--team', team.teamId, '--credits', '20']);
  browser = await launchBrowser();
  await routeUpwork(browser.context);
  await configureExtension(browser, { url: backend.url, token: team.token });
  await syncNow(browser);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

const toolbarText = async () => {
  const page = await browser.openExtensionPage('extension/popup.html');
  const text = await page.evaluate(() => chrome.action.getBadgeText({}));
  await page.close();
  return text;
};

test('a click in one tab moves the badge in the other', async () => {
  const a = await browser.context.newPage();
  const b = await browser.context.newPage();
  await a.goto(upworkUrl('/nx/proposals/job/~021998744339961847531/apply/'));
  await b.goto(upworkUrl('/nx/find-work/most-recent'));
  await waitForContentScript(a);
  await waitForContentScript(b);
  await waitForBadge(b, '120');
  assert.equal(await toolbarText(), '120');
  await waitForChips(a, 4);
  await a.getByRole('button', { name: 'Answer with AI' }).click();
  await waitForBadge(b, '119');
  await waitForRows(backend, team.token, 1);
  // The row is in; the badge's "waiting to sync" goes once the answer is back.
  await waitForBadge(b, (x) => x.text === '119' && !/waiting/.test(x.detail));
  assert.equal(await toolbarText(), '119');
  const focused = await b.evaluate(() => {
    const box = document.querySelector('upwex-credits-badge').shadowRoot.querySelector('.badge');
    box.focus();
    return getComputedStyle(box.querySelector('.detail')).display;
  });
  assert.equal(focused, 'block', 'the monthly/extra split shows on keyboard focus');
  const shown = await badge(b);
  const resets = `Resets ${await shortDay(b, (await api(backend, team.token, '/v1/balance')).resets_at)}`;
  assert.equal(shown.detail, `99 monthly + 20 extra · ${resets}`, 'the split and the reset, not the number again');
  assert.equal(shown.label, `119 credits left: 99 monthly, 20 extra. ${resets}`);
  await b.locator('upwex-credits-badge').screenshot({ path: join(paths.artifacts, 'badge-green.png') });
  await a.close();
  await b.close();
});

test('amber at or below the low-balance threshold, hidden when switched off', async () => {
  await configureExtension(browser, { url: backend.url, token: team.token, lowThreshold: 150 });
  const page = await browser.context.newPage();
  await page.goto(upworkUrl('/nx/find-work/'));
  await waitForContentScript(page);
  assert.equal((await waitForBadge(page, (x) => x.tone === 'amber')).text, '119');
  await page.locator('upwex-credits-badge').screenshot({ path: join(paths.artifacts, 'badge-amber.png') });
  await configureExtension(browser, { url: backend.url, token: team.token, lowThreshold: '', showBadge: false });
  await waitForBadge(page, (x) => !x.visible && x.tone === 'green');
  await configureExtension(browser, { url: backend.url, token: team.token, showBadge: true });
  await waitForBadge(page, (x) => x.visible);
  assert.equal((await workerState(browser)).settings.low_threshold, null);
  await page.close();
  assert.deepEqual(browser.errors, []);
});
