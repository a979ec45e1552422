// Out of credits: the click shows the out-of-credits notice with Top Up and counts nothing;
// a top-up unblocks it. A click the backend rejects (the pool emptied by someone else
// between the click and the sync) is shown to the user, not dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  api, configureExtension, createTeam, startProxy, launchBrowser, paths, routeUpwork, screenshot, startBackend, syncNow,
  shortDay, upworkUrl, usageRows, waitForBadge, waitForChips, waitForContentScript, waitForRows, workerState,
} from './harness.mjs';

let browser;
let backend;
let team;
let page;

before(async () => {
  backend = await startBackend();
  // A trial that ended: total 0, nothing spendable.
  const anchor = new Date(Date.now() - 20 * 86_400_000).toISOString();
  team = await createTeam(backend, { plan: 'trial', seats: 1, anchor, members: ['Cy'] });
  browser = await launchBrowser();
  await routeUpwork(browser.context);
  await configureExtension(browser, { url: backend.url, token: team.token });
  await syncNow(browser);
  page = await browser.context.newPage();
  await page.goto(upworkUrl('/nx/proposals/job/~021998744339961847531/apply/'));
  await waitForContentScript(page);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

test('with nothing to spend, a click shows the notice and counts nothing', async () => {
  const b = await waitForBadge(page, '0');
  assert.equal(b.tone, 'red');
  await page.locator('upwex-credits-badge').screenshot({ path: join(paths.artifacts, 'badge-red.png') });
  const labelled = await waitForChips(page, 4);
  assert.ok(labelled.every((c) => /none left/.test(c.chip)), JSON.stringify(labelled));
  await page.getByRole('button', { name: 'Generate Cover Letter' }).first().click();
  const notice = page.locator('upwex-credits-notice');
  await notice.getByText("You're out of Upwex credits").waitFor();
  await screenshot(page, 'out-of-credits-notice');
  // Upwex never ran, nothing was recorded or sent.
  assert.equal(await page.locator('.upwex-cover-letter').getAttribute('data-sim-runs'), null);
  const state = await syncNow(browser);
  assert.equal(state.pending, 0);
  assert.deepEqual(await usageRows(backend, team.token), []);
  // Top Up opens the credits page.
  const opened = browser.context.waitForEvent('page');
  await notice.getByRole('button', { name: 'Top Up' }).click();
  const topUp = await opened;
  await topUp.waitForLoadState();
  assert.match(topUp.url(), /extension\/credits\.html#top-up$/);
  await topUp.close();
});

test('a top-up unblocks the controls', async () => {
  await backend.cli(['topup', '--team', team.teamId, '--credits', '2']);
  await syncNow(browser); // the periodic alarm would do it within a minute
  await waitForBadge(page, '2');
  await waitForChips(page, (list) => list.length === 4 && list.every((c) => c.chip === '1 credit'));
  await page.getByRole('button', { name: 'Answer with AI' }).click();
  const rows = await waitForRows(backend, team.token, 1);
  assert.equal(rows[0].bucket, 'extra');
  // One credit is singular, on the badge and in its detail. The badge shows the click at
  // once ("1 waiting to sync"); the synced figure follows when the backend has answered.
  const b = await waitForBadge(page, (x) => x.text === '1' && !/waiting/.test(x.detail));
  // The trial is over: the detail says since when, and that nothing refills.
  const known = await api(backend, team.token, '/v1/balance');
  assert.equal(known.resets_at, null);
  const ended = `Trial ended ${await shortDay(page, known.cycle_start)}: no reset until a paid plan is set`;
  assert.equal(b.detail, `0 monthly + 1 extra · ${ended}`);
  assert.equal(b.label, `1 credit left: 0 monthly, 1 extra. ${ended}`);
  const unit = await page.evaluate(() => document.querySelector('upwex-credits-badge').shadowRoot.querySelector('.unit').textContent);
  assert.equal(unit, ' credit');
});

test('an event the backend rejects is shown, not dropped', async () => {
  // The click's batch is held on its way (a proxy) while Cy spends the last credit from
  // elsewhere: between the click and the sync, the pool empties.
  const proxy = await startProxy(backend.url);
  await configureExtension(browser, { url: proxy.url, token: team.token });
  await syncNow(browser);
  await waitForBadge(page, '1');
  const held = proxy.hold((r) => r.method === 'POST' && r.url === '/v1/usage');
  await page.getByRole('button', { name: 'Generate Answer' }).click();
  await held;
  const other = await api(backend, team.tokens.Cy, '/v1/usage', {
    method: 'POST',
    body: { events: [{ id: crypto.randomUUID(), action: 'answer', regenerate: false, occurred_at: new Date().toISOString() }] },
  });
  assert.equal(other.results[0].status, 'applied');
  await proxy.release();
  const b = await waitForBadge(page, (x) => /1 AI action was not counted by the backend \(insufficient_credits\)/.test(x.problem));
  assert.equal(b.text, '0');
  const state = await workerState(browser);
  assert.equal(state.pending, 0);
  assert.equal(state.rejected.length, 1);
  assert.equal(state.rejected[0].reason, 'insufficient_credits');
  assert.equal(state.rejected[0].event.action, 'answer');
  assert.equal((await usageRows(backend, team.token)).length, 2, "this browser's 1 and Cy's 1; the rejected one is not a row");
  // The popup lists it; Dismiss marks it seen and the badge's warning goes.
  const popup = await browser.openExtensionPage('extension/popup.html');
  await popup.locator('#rejected li', { hasText: 'insufficient_credits' }).waitFor();
  await screenshot(popup, 'popup-rejected');
  await popup.getByRole('button', { name: 'Dismiss' }).click();
  await waitForBadge(page, (x) => x.problem === '');
  await popup.close();
  await proxy.close();
  assert.deepEqual(browser.errors, []);
});
