// A member's budget: inside a full pool, the member's clicks stop at its budget for the cycle
// with a notice that says so (not the out-of-credits one), and nothing more is counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, configureExtension, createTeam, launchBrowser, routeUpwork, screenshot, startBackend, syncNow,
  upworkUrl, usageRows, openPopup, popupView, waitForBadge, waitForChips, waitForContentScript, waitForRows, waitForServiceWorker,
} from './harness.mjs';

let browser;
let backend;
let team;
let page;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { name: 'Acme', plan: 'pro', seats: 1, members: ['Cy'] }); // 250 credits
  const cy = await api(backend, team.tokens.Cy, '/v1/me');
  await backend.cli(['member', 'budget', '--member', cy.member_id, '--credits', '2']);
  browser = await launchBrowser();
  await routeUpwork(browser.context);
  await configureExtension(browser, { url: backend.url, token: team.tokens.Cy });
  await syncNow(browser);
  page = await browser.context.newPage();
  await page.goto(upworkUrl('/nx/proposals/job/~021998744339961847531/apply/'));
  await waitForContentScript(page);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

test('the badge shows what the budget leaves, and clicks stop at it', async () => {
  const state = await syncNow(browser);
  assert.equal(state.view.badge.spendable, 2);
  await waitForBadge(page, '2'); // the pool has 250: the budget is the smaller
  await page.getByRole('button', { name: 'Generate Cover Letter' }).first().click();
  await waitForRows(backend, team.token, 1);
  await waitForBadge(page, '1');
  await page.getByRole('button', { name: 'Answer with AI' }).click();
  await waitForRows(backend, team.token, 2);
  const b = await waitForBadge(page, '0');
  assert.equal(b.tone, 'red');
  await waitForChips(page, (list) => list.length >= 4 && list.every((c) => /none left/.test(c.chip)));
});

test('with the budget used up, a click shows the budget notice and counts nothing', async () => {
  await page.getByRole('button', { name: 'Generate Cover Letter' }).first().click();
  const notice = page.locator('upwex-credits-notice');
  const text = notice.getByText('Your Upwex credit budget for this cycle is used up');
  await text.waitFor();
  assert.match(await text.textContent(), /Your team's owner can raise it\.$/);
  assert.equal(await notice.getByRole('button', { name: 'Top Up' }).count(), 0, 'topping up the pool would not help');
  await screenshot(page, 'member-budget-notice');
  await notice.getByRole('button', { name: 'Close' }).click();
  const state = await syncNow(browser);
  assert.equal(state.pending, 0);
  assert.equal((await usageRows(backend, team.token)).length, 2);
  assert.equal(state.view.badge.spendable, 0);
  const view = await api(backend, team.tokens.Cy, '/v1/balance');
  assert.deepEqual([view.spendable, view.member], [248, { used: 2, budget: 2, left: 0 }], 'the pool still pays');
});

test('the used-up budget was notified once, in the browser', async () => {
  const worker = await waitForServiceWorker(browser.context);
  const shown = () => worker.evaluate(() => chrome.notifications.getAll().then(Object.keys));
  const deadline = Date.now() + 10_000;
  while ((await shown()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await shown(), ['member.budget_exhausted']);
  await worker.evaluate(() => chrome.notifications.clear('member.budget_exhausted'));
  await syncNow(browser); // the same cycle: not said again
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(await shown(), []);
});

test('the popup and the credits page show the budget, and Team Members the used against it', async () => {
  await syncNow(browser);
  const popup = await openPopup(browser);
  assert.equal(await popup.locator('[data-slot="budget"]').textContent(), 'Your budget: 0 of 2 credits left this cycle');
  const cy = (await popupView(popup)).members.find((m) => m.name === 'Cy');
  assert.equal(cy.used, '2 of 2 credits');
  await popup.close();
  const page = await browser.context.newPage();
  await page.goto(browser.extensionUrl('extension/credits.html'));
  await page.locator('main:not([aria-busy])').waitFor({ state: 'attached', timeout: 15_000 });
  assert.equal(await page.locator('[data-slot="budget"]').textContent(), 'Your budget: 0 of 2 credits left this cycle');
  assert.equal(await page.locator('tr.member', { hasText: 'Cy' }).locator('[data-part="used"]').textContent(), '2 of 2 credits');
  await page.close();
});
