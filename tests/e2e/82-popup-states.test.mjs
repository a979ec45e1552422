// The states a user meets, each reached for real: not configured (a fresh profile; the link
// opens the options), ok, low (amber) and empty (red) as the pool is spent, a trial team's
// daily reset, the backend stopped (the last known figures with their age), and a revoked
// token (signed out).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, configureExtension, createTeam, launchBrowser, openPopup, popupView, routeUpwork, startBackend,
  stopServiceWorker,
} from './harness.mjs';

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

/** Spends `n` credits as `token` (another client of the team). */
async function spend(token, n) {
  const events = Array.from({ length: n }, () => ({ id: crypto.randomUUID(), action: 'answer', regenerate: false, occurred_at: new Date().toISOString() }));
  const answer = await api(backend, token, '/v1/usage', { method: 'POST', body: { events } });
  assert.ok(answer.results.every((r) => r.status === 'applied'));
}

const remainingColour = (popup) => popup.locator('.card.remaining output').evaluate((el) => getComputedStyle(el).color);

test('not configured: the popup says so and its link opens the options', async () => {
  const popup = await openPopup(browser);
  const view = await popupView(popup);
  assert.equal(view.state, 'not-configured');
  assert.match(view.notice, /not connected/);
  assert.equal(await popup.locator('.cards').isVisible(), false, 'no figures to show');
  const opened = browser.context.waitForEvent('page');
  await popup.getByRole('link', { name: 'Open the options' }).click();
  const options = await opened;
  await options.waitForLoadState();
  assert.equal(options.url(), browser.extensionUrl('extension/options.html'));
  await options.getByLabel('Backend URL').waitFor();
  await options.close();
  await popup.close();
});

test('ok, then low (amber) and empty (red) as the pool is spent', async () => {
  const team = await createTeam(backend, { name: 'Spenders', plan: 'lite', seats: 1 });
  await configureExtension(browser, { url: backend.url, token: team.token });
  let popup = await openPopup(browser);
  assert.deepEqual(await popupView(popup).then((v) => [v.state, v.tone, v.remaining]), ['ok', 'green', '100']);
  assert.equal(await remainingColour(popup), 'rgb(16, 138, 0)', 'green');
  await popup.close();

  await spend(team.token, 90); // 10 left: the backend's low (10% of Total)
  popup = await openPopup(browser);
  let view = await popupView(popup);
  assert.deepEqual([view.state, view.tone, view.remaining], ['low', 'amber', '10']);
  assert.equal((await api(backend, team.token, '/v1/balance')).low, true);
  assert.match(view.notice, /Credits are running low: 10 left\./);
  assert.equal(await remainingColour(popup), 'rgb(161, 92, 0)', 'amber');
  await popup.close();

  await spend(team.token, 10); // the pool emptied
  popup = await openPopup(browser);
  view = await popupView(popup);
  assert.deepEqual([view.state, view.tone, view.remaining, view.used], ['empty', 'red', '0', '100']);
  assert.match(view.notice, /No credits left/);
  assert.equal(await remainingColour(popup), 'rgb(201, 37, 45)', 'red');
  await popup.close();
});

let trial;

test('a trial team: credits reset daily', async () => {
  trial = await createTeam(backend, { name: 'Trying', plan: 'trial', seats: 2 });
  await configureExtension(browser, { url: backend.url, token: trial.token });
  const popup = await openPopup(browser);
  const view = await popupView(popup);
  assert.deepEqual([view.state, view.resets, view.total], ['trial', 'Resets daily', '40']);
  await popup.close();
});

test('the backend stopped: the last known figures, with their age', async () => {
  const known = await api(backend, trial.token, '/v1/balance');
  await backend.stop();
  // The figures were learnt 3 minutes ago: moved back in storage, read by a fresh worker.
  await browser.serviceWorker.evaluate(async () => {
    const { outbox, popup } = await chrome.storage.local.get(['outbox', 'popup']);
    const back = (t) => new Date(Date.parse(t) - 3 * 60_000).toISOString();
    outbox.balance.at = back(outbox.balance.at);
    for (const name of ['me', 'members', 'insights', 'usage']) popup[name].at -= 3 * 60_000;
    await chrome.storage.local.set({ outbox, popup });
  });
  await stopServiceWorker(browser.context);
  const popup = await openPopup(browser);
  const view = await popupView(popup);
  assert.equal(view.state, 'unreachable');
  assert.match(view.notice, /cannot be reached\. These are the last known figures\./);
  assert.deepEqual([view.remaining, view.used, view.total, view.extra], [known.remaining, known.used, known.total, known.extra].map(String));
  assert.equal(view.team, 'Owner · Trying');
  // How old the figures are, said once (every section's figures are of that age).
  const ages = {};
  for (const slot of ['age-cards', 'age-history', 'age-members', 'age-insights']) ages[slot] = await popup.locator(`[data-slot="${slot}"]`).textContent();
  assert.deepEqual(ages, { 'age-cards': 'As of 3 min ago', 'age-history': '', 'age-members': '', 'age-insights': '' });
  await popup.close();
  await backend.start();
});

test('a revoked token: signed out, no team figures, the way to the options', async () => {
  const me = await api(backend, trial.token, '/v1/me');
  await backend.cli(['member', 'revoke', '--member', me.member_id]);
  const popup = await openPopup(browser);
  const view = await popupView(popup);
  assert.equal(view.state, 'signed-out');
  assert.match(view.notice, /API token was refused/);
  assert.equal(await popup.locator('.cards').isVisible(), false);
  assert.equal(await popup.locator('section.history').isVisible(), false);
  assert.equal(view.team, '');
  await popup.getByRole('link', { name: 'Open the options' }).waitFor();
  await popup.close();
});
