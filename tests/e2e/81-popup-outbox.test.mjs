// The popup and this browser's outbox: clicks made while the backend is down show at the
// top of Usage History as pending (and in the figures), then as the backend's rows once it
// is back; a click the backend rejects shows as rejected, with the reason in words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, configureExtension, createTeam, launchBrowser, openPopup, popupView, routeUpwork, startBackend, syncNow,
  upworkUrl, waitForBadge, waitForChips, waitForContentScript, waitForPopupView, waitForRows,
} from './harness.mjs';

const PROPOSAL = '/nx/proposals/job/~021998744339961847531/apply/';
let browser;
let backend;

before(async () => {
  backend = await startBackend();
  browser = await launchBrowser();
  await routeUpwork(browser.context);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

async function proposal() {
  const page = await browser.context.newPage();
  await page.goto(upworkUrl(PROPOSAL));
  await waitForContentScript(page);
  await waitForChips(page, 4);
  return page;
}

test('clicks waiting to sync are pending at the top, then the backend\'s rows', async () => {
  const team = await createTeam(backend, { name: 'Offline', plan: 'lite', seats: 1 });
  await configureExtension(browser, { url: backend.url, token: team.token });
  await syncNow(browser);
  (await openPopup(browser)).close(); // the popup has met the backend (it knows who "you" are)
  const page = await proposal();
  await waitForBadge(page, '100');
  await backend.stop();
  await page.getByRole('button', { name: 'Answer with AI' }).click();
  await page.getByRole('button', { name: 'Generate Answer' }).click();
  await waitForBadge(page, (b) => /2 waiting to sync/.test(b.problem));

  const popup = await openPopup(browser);
  const view = await popupView(popup);
  assert.equal(view.state, 'unreachable');
  assert.match(view.notice, /cannot be reached/);
  assert.deepEqual(view.rows.map((r) => [r.status, r.what, r.who, r.credits, r.mark, r.job]), [
    ['pending', 'Answer', 'Owner', '-1', 'pending: waiting to sync', '~021998744339961847531'],
    ['pending', 'Answer', 'Owner', '-1', 'pending: waiting to sync', '~021998744339961847531'],
  ]);
  // The figures already count them (the backend's last balance less what waits).
  assert.deepEqual([view.remaining, view.used, view.total, view.extra], ['98', '2', '100', '0']);
  assert.equal(await popup.locator('[data-slot="cards-note"]').textContent(), 'Includes 2 actions waiting to sync.');
  assert.deepEqual(view.members, [{ name: 'Owner', used: '2', you: true }]);

  // The backend is back: Retry syncs, and the rows are the backend's.
  await backend.start();
  await popup.getByRole('button', { name: 'Retry' }).click();
  const rows = await waitForRows(backend, team.token, 2);
  const back = await waitForPopupView(popup, (v) => v.state === 'ok' && v.rows.every((r) => r.status === 'recorded'));
  assert.deepEqual(back.rows.map((r) => r.id), rows.map((r) => r.id));
  assert.deepEqual([back.remaining, back.used], ['98', '2']);
  assert.equal(await popup.locator('[data-slot="cards-note"]').textContent(), '');
  await popup.close();
  await page.close();
});

test('a click the backend rejects is shown as rejected, with the reason in words', async () => {
  // A trial that ended, with 1 Extra Credit. The click here is made with the backend down, so
  // it counts locally (the browser last saw 1 credit); Cy spends that credit from elsewhere
  // as soon as the backend is back, before the outbox's retry (2 s backoff at the least), and
  // the backend refuses the click. (With the backend up, a background balance read could
  // learn Cy's spend first and block the click instead.)
  const anchor = new Date(Date.now() - 20 * 86_400_000).toISOString();
  const team = await createTeam(backend, { name: 'Last credit', plan: 'trial', seats: 1, anchor, members: ['Cy'] });
  await backend.cli(['topup', '--team', team.teamId, '--credits', '1']);
  await configureExtension(browser, { url: backend.url, token: team.token });
  await syncNow(browser);
  const page = await proposal();
  await waitForBadge(page, '1');
  await syncNow(browser); // the job count the chips asked for, fetched
  await backend.stop();
  await page.getByRole('button', { name: 'Answer with AI' }).click();
  await waitForBadge(page, (b) => /1 waiting to sync/.test(b.problem));
  await backend.start();
  const spent = await api(backend, team.tokens.Cy, '/v1/usage', {
    method: 'POST',
    body: { events: [{ id: crypto.randomUUID(), action: 'cover_letter', regenerate: false, occurred_at: new Date().toISOString() }] },
  });
  assert.equal(spent.results[0].status, 'applied');
  await syncNow(browser);
  await waitForBadge(page, (b) => /not counted by the backend/.test(b.problem));

  const popup = await openPopup(browser);
  const view = await popupView(popup);
  assert.equal(view.state, 'empty');
  assert.equal(view.tone, 'red');
  const rejected = view.rows.filter((r) => r.status === 'rejected');
  assert.deepEqual(rejected.map((r) => [r.what, r.credits, r.mark, r.who]), [
    ['Answer', '0', 'rejected: no credits were left (insufficient_credits)', 'Owner'],
  ]);
  // Cy's row is the backend's; the rejected click is not a row there.
  const rows = await api(backend, team.token, '/v1/usage');
  assert.deepEqual(view.rows.filter((r) => r.status === 'recorded').map((r) => r.id), rows.rows.map((r) => r.id));
  assert.match(view.notice, /1 AI action was not counted by the backend/);
  // Dismiss: the notice goes (the row stays in the history).
  await popup.getByRole('button', { name: 'Dismiss' }).click();
  const after = await waitForPopupView(popup, (v) => !/not counted/.test(v.notice));
  assert.equal(after.rows.filter((r) => r.status === 'rejected').length, 1);
  await waitForBadge(page, (b) => b.problem === '');
  await popup.close();
  await page.close();
});
