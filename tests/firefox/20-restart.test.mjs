// A browser restart with events pending loses and doubles nothing: clicks made while the
// backend is down wait in the outbox (browser.storage.local), Firefox quits, starts again on
// the same profile (the installed add-on and its storage kept), and each event reaches the
// backend exactly once. A background Firefox stopped (an event page) wakes for a click.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  click, configureFirefox, createTeam, launchFirefox, startBackend, startUpwork, upworkUrl, usageRows, waitForPage, waitForRows,
} from './harness.mjs';

const PROPOSAL = '/nx/proposals/job/~021998744339961847531/apply/';
let upwork;
let backend;
let team;
let browser;

before(async () => {
  upwork = await startUpwork();
  backend = await startBackend();
  team = await createTeam(backend, { plan: 'pro', seats: 1 }); // 250 credits
  browser = await launchFirefox({ upwork });
});

after(async () => {
  await browser?.quit();
  await backend?.stop();
  await upwork?.close();
});

test('a restart with three events pending sends each once', async () => {
  await configureFirefox(browser, { url: backend.url, token: team.token });
  await browser.ask('page:sync-now');
  await browser.open(upworkUrl(PROPOSAL));
  await waitForPage(browser.session, (v) => v.chips.length === 4 && v.badge?.text === '250');
  await backend.stop();
  await click(browser.session, '[data-expect="answer"]');
  await click(browser.session, 'span[data-expect="answer"]');
  await click(browser.session, 'button[aria-labelledby="answer-3-label"]', '.upwex-shadow-host');
  await waitForPage(browser.session, (v) => v.badge?.text === '247' && /3 waiting/.test(v.badge.problem), 'the clicks were not kept');

  browser = await browser.restart();
  await backend.start();
  const rows = await waitForRows(backend, team.token, 3, { timeout: 30_000 });
  assert.deepEqual(rows.map((r) => r.action), ['answer', 'answer', 'answer']);
  assert.equal(new Set(rows.map((r) => r.id)).size, 3);
  await browser.ask('page:sync-now');
  assert.equal((await usageRows(backend, team.token)).length, 3, 'no event counted twice');
  await browser.open(upworkUrl(PROPOSAL));
  await waitForPage(browser.session, (v) => v.badge?.text === '247' && v.badge.problem === '');
  assert.deepEqual(await browser.errors(), []);
});

test('the background stopped as after 30 s idle: a click wakes it, counted once, the badge moves', async () => {
  const { session } = browser;
  await waitForPage(session, (v) => v.chips.length === 4);
  assert.equal(await browser.stopBackground(), 'stopped');
  await click(session, '[data-expect="cover_letter"]');
  await waitForPage(session, (v) => v.badge?.text === '246', 'the badge never moved');
  const rows = await waitForRows(backend, team.token, 4);
  assert.equal(rows[0].action, 'cover_letter');
  await browser.ask('page:sync-now');
  assert.equal((await usageRows(backend, team.token)).length, 4, 'counted once');
  assert.deepEqual(await browser.errors(), []);
});
