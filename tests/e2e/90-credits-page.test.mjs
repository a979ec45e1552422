// The full credits page (extension/credits.html) in real Chromium: the headline equals the
// page badge's number and its parts, the plan line and the cards equal the backend's balance;
// Usage History is a table whose filters (action, member, job, date range) and paging
// ("Show more") give exactly the backend's rows; Export CSV saves every row the filters
// select (more than one page), equal to the backend's filtered history; a click on a member
// filters the history; Top Up asks for confirmation (the pack, what the balance becomes)
// before recording it, and Cancel records nothing. Expectations are the backend's answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  api, badge, configureExtension, createTeam, launchBrowser, routeUpwork, screenshot, startBackend, upworkUrl, waitForBadge, waitForContentScript,
} from './harness.mjs';

const JOB = '~021998744339961847531';
const OTHER = '~01aa00bb11cc22dd33';
let browser;
let backend;
let team;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { name: 'Acme', plan: 'pro', seats: 3, members: ['Bo'] });
  await backend.cli(['topup', '--team', team.teamId, '--credits', '1000']);
  browser = await launchBrowser();
  await routeUpwork(browser.context);
  await configureExtension(browser, { url: backend.url, token: team.token });
  // 130 by the owner (yesterday, on JOB), 70 by Bo (now, on OTHER, every 5th a Regenerate).
  const yesterday = new Date(Date.now() - 86_400_000).toISOString();
  const events = (n, action, job, at, regen = () => false) => Array.from({ length: n }, (_, i) => ({
    id: crypto.randomUUID(), action: action(i), regenerate: regen(i), job_id: job, occurred_at: at,
  }));
  await api(backend, team.token, '/v1/usage', { method: 'POST', body: { events: events(130, (i) => (i % 2 ? 'answer' : 'cover_letter'), JOB, yesterday) } });
  await api(backend, team.tokens.Bo, '/v1/usage', {
    method: 'POST', body: { events: events(70, () => 'cover_letter', OTHER, new Date().toISOString(), (i) => i % 5 === 0) },
  });
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

async function openCredits(hash = '') {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(browser.extensionUrl(`extension/credits.html${hash}`));
  await page.locator('main:not([aria-busy])').waitFor({ state: 'attached', timeout: 15_000 });
  return page;
}

const text = (page, slot) => page.locator(`[data-slot="${slot}"]`).textContent();
const ids = (page) => page.locator('[data-slot="history"] tr.row').evaluateAll((rows) => rows.map((r) => r.dataset.id));

/** Every row of the backend's history with these query parameters, following the cursor. */
async function backendRows(query = '') {
  const rows = [];
  let path = `/v1/usage?limit=200${query}`;
  for (;;) {
    const page = await api(backend, team.token, path);
    rows.push(...page.rows);
    if (!page.next_before) return rows;
    path = `/v1/usage?limit=200${query}&before=${encodeURIComponent(page.next_before)}`;
  }
}

/** Waits until the history shows `want` (the first page's ids). */
async function waitForIds(page, want) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const got = await ids(page);
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    if (Date.now() > deadline) assert.deepEqual(got, want);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the figures are the backend\'s and the headline is the badge\'s number', async () => {
  const page = await openCredits();
  const b = await api(backend, team.token, '/v1/balance');
  const n = (x) => x.toLocaleString('en-US');
  assert.equal(await text(page, 'available'), `Available now: ${n(b.spendable)} credits (${n(b.remaining)} monthly left + ${n(b.extra)} Extra)`);
  assert.equal(b.spendable, b.remaining + b.extra);
  assert.equal(await text(page, 'plan-line'), `Pro · 3 seats · ${n(b.total)} credits a month`);
  for (const card of ['remaining', 'used', 'total', 'extra']) assert.equal(await text(page, card), n(b[card]), card);
  // Team Members: largest first, as the backend counts them.
  const members = await api(backend, team.token, '/v1/members');
  const shown = await page.locator('[data-slot="members"] tr.member').evaluateAll((rows) => rows.map((r) => [r.querySelector('[data-part="name"]').textContent, r.querySelector('.used').textContent]));
  const want = [...members].sort((a, b2) => b2.used - a.used).map((m) => [m.name, n(m.used)]);
  assert.deepEqual(shown, want);
  await screenshot(page, 'credits-page');
  await page.close();
  // The badge on an Upwork page says the same number; a click on it opens this page.
  const upwork = await browser.context.newPage();
  await upwork.goto(upworkUrl('/nx/proposals/job/~021998744339961847531/apply/'));
  await waitForContentScript(upwork);
  await waitForBadge(upwork, String(b.spendable));
  assert.equal((await badge(upwork)).text, String(b.spendable));
  // It folds to its number and unfolds again.
  const unit = upwork.locator('upwex-credits-badge .unit');
  await upwork.getByRole('button', { name: 'Make the credits badge smaller' }).click();
  assert.equal(await unit.isVisible(), false);
  await upwork.getByRole('button', { name: 'Show the credits badge in full' }).click();
  assert.equal(await unit.isVisible(), true);
  const opened = browser.context.waitForEvent('page');
  await upwork.locator('upwex-credits-badge .badge').click();
  const full = await opened;
  await full.waitForLoadState();
  assert.match(full.url(), /extension\/credits\.html#top-up$/);
  await full.close();
  await upwork.close();
});

test('filters and paging give exactly the backend\'s rows', async () => {
  const page = await openCredits();
  const all = await backendRows();
  assert.equal(all.length, 200);
  await waitForIds(page, all.slice(0, 50).map((r) => r.id));
  // The table's columns for one row.
  const first = page.locator('[data-slot="history"] tr.row').first();
  assert.equal(await first.locator('.who').textContent(), all[0].member);
  assert.equal(await first.locator('.job').first().textContent(), all[0].job_id);
  assert.equal(await first.locator('.credits').textContent(), String(all[0].credits));
  // Show more: the next page added below, exactly.
  await page.getByRole('button', { name: 'Show more' }).click();
  await waitForIds(page, all.slice(0, 100).map((r) => r.id));
  // Action + job.
  await page.locator('[data-filter="action"]').selectOption('answer');
  await page.locator('[data-filter="job"]').fill(JOB);
  await page.locator('[data-filter="job"]').press('Enter');
  await page.locator('[data-filter="job"]').dispatchEvent('change');
  const answers = await backendRows(`&action=answer&job_id=${encodeURIComponent(JOB)}`);
  assert.equal(answers.length, 65);
  await waitForIds(page, answers.slice(0, 50).map((r) => r.id));
  // A date range of today only: nothing of the owner's (yesterday).
  const today = await page.evaluate(() => { const d = new Date(); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; });
  await page.locator('[data-filter="from"]').fill(today);
  await page.locator('[data-filter="to"]').fill(today);
  await page.locator('[data-filter="to"]').dispatchEvent('change');
  await page.locator('[data-slot="history"] .empty').waitFor();
  // A member, by a click on the Team Members table: Bo's rows (the other filters cleared).
  for (const f of ['job', 'from', 'to']) await page.locator(`[data-filter="${f}"]`).fill('');
  await page.locator('[data-filter="action"]').selectOption('');
  await page.locator('[data-slot="members"] tr.member', { hasText: 'Bo' }).getByRole('button', { name: 'Bo' }).click();
  const bo = all.filter((r) => r.member === 'Bo');
  assert.equal(bo.length, 70);
  await waitForIds(page, bo.slice(0, 50).map((r) => r.id));
  assert.equal(await page.locator('[data-slot="history"] tr.row .regen').count(), bo.slice(0, 50).filter((r) => r.regenerate).length, 'the Regenerate mark');
  await page.close();
});

test('Export CSV saves every row the filters select', async () => {
  const page = await openCredits();
  await page.locator('[data-filter="action"]').selectOption('cover_letter');
  const want = await backendRows('&action=cover_letter');
  assert.equal(want.length, 135, 'more than two pages of history');
  await waitForIds(page, want.slice(0, 50).map((r) => r.id));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  assert.equal(download.suggestedFilename(), 'usage.csv');
  const lines = (await readFile(await download.path(), 'utf8')).split('\r\n').filter(Boolean);
  assert.equal(lines[0], 'occurred_at,recorded_at,member,member_id,action,regenerate,job_id,bucket,credits,refunded,id');
  const rows = lines.slice(1).map((l) => l.split(','));
  assert.deepEqual(rows.map((r) => r[10]), want.map((r) => r.id));
  assert.deepEqual(rows.map((r) => [r[2], r[4], r[5] === 'true', r[6], Number(r[8])]), want.map((r) => [r.member, r.action, r.regenerate, r.job_id, r.credits]));
  await page.close();
});

test('Top Up asks for confirmation: the pack and what the balance becomes', async () => {
  const page = await openCredits('#top-up');
  const before = await api(backend, team.token, '/v1/balance');
  const n = (x) => x.toLocaleString('en-US');
  await page.getByLabel('500 credits').check();
  await page.getByRole('button', { name: 'Review top-up' }).click();
  const dialog = page.getByRole('dialog', { name: 'Top up Extra Credits?' });
  await dialog.waitFor();
  assert.equal(await dialog.locator('[data-slot="top-up-after"]').textContent(),
    `Add 500 credits: Extra Credits become ${n(before.extra + 500)} and ${n(before.spendable + 500)} credits are available now.`);
  // Cancel: nothing recorded, the focus back on Review.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await dialog.isVisible(), false);
  assert.equal((await api(backend, team.token, '/v1/balance')).extra, before.extra);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.action), 'review');
  // Escape closes it too; then confirm.
  await page.getByRole('button', { name: 'Review top-up' }).click();
  await page.keyboard.press('Escape');
  assert.equal(await dialog.isVisible(), false);
  await page.getByRole('button', { name: 'Review top-up' }).click();
  await dialog.getByRole('button', { name: 'Confirm top-up' }).click();
  await page.locator('[data-slot="status"]', { hasText: 'added to Extra Credits' }).waitFor({ timeout: 10_000 });
  assert.equal(await dialog.isVisible(), false, 'closed on success');
  const after = await api(backend, team.token, '/v1/balance');
  assert.equal(after.extra, before.extra + 500);
  await page.locator('[data-slot="extra"]', { hasText: n(after.extra) }).waitFor();
  await page.close();
});

test('a member is told who can top up', async () => {
  await configureExtension(browser, { url: backend.url, token: team.tokens.Bo });
  const page = await openCredits('#top-up');
  await page.getByText('Only the team owner can top up.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Review top-up' }).count(), 0);
  await page.close();
});
