// Budget editing on the full credits page: an owner sets a member's monthly budget in the
// Team Members table (a labelled number input, Save, Clear), the backend's /v1/members then
// has it and the table shows the budget and what is left; what is not a budget is refused
// in words and changes nothing; Clear removes it. A member sees no editor. Last active is
// the day of the member's latest action, "Never" without one. Expectations are the
// backend's answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, configureExtension, createTeam, launchBrowser, startBackend } from './harness.mjs';

let browser;
let backend;
let team;
let bo;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { name: 'Acme', plan: 'pro', seats: 2, members: ['Bo'] });
  bo = await api(backend, team.tokens.Bo, '/v1/me');
  const events = Array.from({ length: 3 }, () => ({ id: crypto.randomUUID(), action: 'answer', occurred_at: new Date().toISOString() }));
  await api(backend, team.tokens.Bo, '/v1/usage', { method: 'POST', body: { events } });
  browser = await launchBrowser();
  await configureExtension(browser, { url: backend.url, token: team.token });
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

async function openCredits() {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(browser.extensionUrl('extension/credits.html'));
  await page.locator('main:not([aria-busy])').waitFor({ state: 'attached', timeout: 15_000 });
  return page;
}

const member = async (id) => (await api(backend, team.token, '/v1/members')).find((m) => m.member_id === id);
const cells = (row) => row.evaluate((r) => ['used', 'limit', 'left', 'last'].map((c) => r.querySelector(`.${c}`).firstChild?.textContent ?? r.querySelector(`.${c}`).textContent));

test('an owner sets, is refused and clears a member\'s budget on the page', async () => {
  const page = await openCredits();
  const row = page.locator(`[data-slot="members"] tr[data-id="${bo.member_id}"]`);
  const status = page.locator('[data-slot="budget-status"]');
  const day = await page.evaluate((t) => new Date(t).toLocaleDateString(undefined, { month: 'short', day: 'numeric' }), (await member(bo.member_id)).last_active_at);
  assert.deepEqual(await cells(row), ['3', 'No budget', '', day]);
  const ownerId = (await api(backend, team.token, '/v1/me')).member_id;
  assert.equal((await member(ownerId)).last_active_at, null);
  assert.equal(await page.locator(`[data-slot="members"] tr[data-id="${ownerId}"] .last`).textContent(), 'Never', 'the owner has used nothing');

  // Set: the labelled input, Save.
  const input = page.getByLabel('Monthly budget for Bo (credits)');
  await input.fill('10');
  await row.getByRole('button', { name: 'Save' }).click();
  await status.filter({ hasText: 'Bo\'s monthly budget is now 10 credits.' }).waitFor();
  assert.deepEqual([(await member(bo.member_id)).budget, (await member(bo.member_id)).left], [10, 7]);
  assert.deepEqual(await cells(row), ['3 of 10 credits', '10 credits', '7 credits', day]);
  assert.equal(await input.inputValue(), '10');

  // Not a budget: refused in words, nothing sent or changed; the typed text stays to correct.
  for (const bad of ['-5', '1.5']) {
    await input.fill(bad);
    await input.press('Enter');
    await status.filter({ hasText: 'A budget is a whole number of credits from 0 to 1,000,000,000. Nothing was changed.' }).waitFor();
    assert.equal((await member(bo.member_id)).budget, 10, bad);
    assert.equal(await input.inputValue(), bad);
    await page.evaluate(() => { document.querySelector('[data-slot="budget-status"]').textContent = ''; });
  }

  // Clear: no budget any more.
  await row.getByRole('button', { name: 'Clear' }).click();
  await status.filter({ hasText: 'Bo has no monthly budget now.' }).waitFor();
  assert.deepEqual([(await member(bo.member_id)).budget, (await member(bo.member_id)).left], [null, null]);
  assert.deepEqual(await cells(row), ['3', 'No budget', '', day]);
  assert.equal(await input.inputValue(), '');
  await page.close();
});

test('a member sees the budgets but no editor', async () => {
  await api(backend, team.token, `/v1/members/${bo.member_id}/budget`, { method: 'PUT', body: { credits: 5 } });
  await configureExtension(browser, { url: backend.url, token: team.tokens.Bo });
  const page = await openCredits();
  const row = page.locator(`[data-slot="members"] tr[data-id="${bo.member_id}"]`);
  await row.locator('.limit', { hasText: '5 credits' }).waitFor();
  assert.equal(await row.locator('.left').textContent(), '2 credits');
  assert.equal(await page.locator('[data-slot="members"] form, [data-slot="members"] input').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
  await page.close();
});
