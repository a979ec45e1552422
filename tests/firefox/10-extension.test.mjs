// The packaged extension in Firefox ESR: it installs with no errors, its background (an
// event page there) answers, the options page connects it to the backend, the Upwex controls
// of a proposal and a job page served at real Upwork URLs under the strict CSP get their
// chips and nothing else does, a click is counted once and moves the badge, the popup shows
// the backend's figures; on the feed a pushState slider's late Job Assistant is labelled and
// counted with the URL's job id; a backend off loopback gets its origin granted from Save.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, chippedDecoys, click, clickText, configureFirefox, createTeam, extensionVersion, launchFirefox, pageView, screenshotFirefox,
  startBackend, startUpwork, upworkUrl, usageRows, waitFor, waitForPage, waitForRows,
} from './harness.mjs';

const PROPOSAL = '/nx/proposals/job/~021998744339961847531/apply/';
const JOB_PAGE = '/jobs/Some-title_~0133110211e88e3a06/';
let upwork;
let backend;
let team;
let browser;

before(async () => {
  upwork = await startUpwork();
  backend = await startBackend();
  team = await createTeam(backend, { name: 'Acme', plan: 'pro', seats: 1 }); // 250 credits
  browser = await launchFirefox({ upwork });
});

after(async () => {
  await browser?.quit();
  await backend?.stop();
  await upwork?.close();
});

test('the package installs with no errors and its background answers', async () => {
  assert.deepEqual(await browser.ask('page:version'), { version: await extensionVersion() });
  assert.deepEqual(await browser.manifestProblems(), []);
  assert.deepEqual(await browser.errors(), []);
  // The probe sees an error an extension page throws (so an empty list means something).
  await browser.session.switchTo(browser.askTab);
  await browser.session.execute(() => setTimeout(() => { throw new Error('probe-error'); }));
  await waitFor(() => browser.errors(), (list) => list.some((e) => e.includes('probe-error')), 'the console probe missed an error');
});

test('the options page connects the extension to the backend', async () => {
  const connection = await configureFirefox(browser, { url: backend.url, token: team.token });
  assert.equal(connection, 'Connected as Owner (Acme)');
  await browser.ask('page:sync-now'); // the balance, before the pages open
});

test('on the proposal page the Upwex controls get "1 credit" and nothing else does; a click counts once', async () => {
  const { session } = browser;
  await browser.open(upworkUrl(PROPOSAL));
  const view = await waitForPage(session, (v) => v.chips.length === 4 && v.badge?.text === '250');
  assert.deepEqual(view.chips.map((c) => c.expect).sort(), ['answer', 'answer', 'answer', 'cover_letter']);
  assert.ok(view.chips.every((c) => c.chip === '1 credit' && c.warning === ''), JSON.stringify(view.chips));
  assert.deepEqual(await chippedDecoys(session), []);
  await screenshotFirefox(session, 'firefox-proposal-labelled');

  await click(session, '[data-expect="cover_letter"]');
  await waitForPage(session, (v) => v.badge?.text === '249', 'the badge never moved');
  const rows = await waitForRows(backend, team.token, 1);
  assert.deepEqual([rows[0].action, rows[0].job_id, rows[0].member], ['cover_letter', '~021998744339961847531', 'Owner']);
  // The Answer inside the open shadow root.
  await click(session, 'button[aria-labelledby="answer-3-label"]', '.upwex-shadow-host');
  await waitForPage(session, (v) => v.badge?.text === '248');
  assert.equal((await waitForRows(backend, team.token, 2))[0].action, 'answer');
  // Upwork's own "Generate Cover Letter" and the disabled control are not counted.
  await click(session, '[data-qa="ai-cover-letter"]');
  await session.execute(() => document.querySelectorAll('[data-expect="none"]').forEach((el) => el.click()));
  await new Promise((r) => setTimeout(r, 300)); // a (wrong) click would have reached the background by now
  await browser.ask('page:sync-now');
  assert.equal((await usageRows(backend, team.token)).length, 2, 'each click counted once, decoys not at all');
  assert.equal((await pageView(session)).badge.text, '248');
});

test('on the job page only the Job Assistant is labelled; its click moves every badge', async () => {
  const { session } = browser;
  const proposal = await session.cmd('GET', '/window');
  await browser.open(upworkUrl(JOB_PAGE));
  const view = await waitForPage(session, (v) => v.chips.length === 1 && v.badge?.text === '248');
  assert.deepEqual(view.chips, [{ chip: '1 credit', warning: '', expect: 'job_assistant' }]);
  assert.deepEqual(await chippedDecoys(session), []);
  await click(session, '[data-expect="job_assistant"]');
  await waitForPage(session, (v) => v.badge?.text === '247');
  assert.equal((await waitForRows(backend, team.token, 3))[0].action, 'job_assistant');
  await session.closeTab();
  await session.switchTo(proposal); // the other Upwork tab heard of it
  await waitForPage(session, (v) => v.badge?.text === '247', 'the other tab\'s badge never moved');
  await session.switchTo(browser.askTab);
  assert.equal(await session.execute(() => chrome.action.getBadgeText({})), '247');
  await session.switchTo(proposal);
  await session.closeTab();
  await session.switchTo(browser.askTab);
});

test('the popup shows the backend\'s figures, and nothing went to the console', async () => {
  const { session } = browser;
  await browser.open(browser.url('extension/popup.html'));
  const read = () => session.execute(() => {
    const root = document.getElementById('popup');
    const slot = (name) => root.querySelector(`[data-slot="${name}"]`)?.textContent ?? null;
    return { busy: root.hasAttribute('aria-busy'), state: root.dataset.state, team: slot('team'), remaining: slot('remaining'), total: slot('total'),
      rows: root.querySelectorAll('[data-slot="history"] li.row').length };
  });
  const balance = await api(backend, team.token, '/v1/balance');
  assert.equal(balance.remaining, 247);
  const view = await waitFor(read, (v) => !v.busy && v.rows === 3, 'the popup never drew the three clicks');
  assert.deepEqual([view.state, view.team, view.remaining, view.total], ['ok', 'Owner · Acme', String(balance.remaining), String(balance.total)]);
  const errors = (await browser.errors()).filter((e) => !e.includes('probe-error'));
  assert.deepEqual(errors, []);
  assert.deepEqual(upwork.refused.filter((h) => /upwork/.test(h)), []);
});

test('on the feed, a slider opened by pushState gets its late Job Assistant labelled; the job id follows the URL', async () => {
  const { session } = browser;
  await browser.open(upworkUrl('/nx/find-work/most-recent'));
  await waitForPage(session, (v) => v.badge?.text === '247');
  assert.deepEqual((await pageView(session)).chips, []); // "Cover Letter" in job tiles is not a control
  await clickText(session, 'a', 'Rust / WebAssembly engineer for a Chrome extension');
  assert.match(await session.cmd('GET', '/url'), /\/details\/~021999055296412911573\?/);
  const view = await waitForPage(session, (v) => v.chips.length === 1);
  assert.equal(view.chips[0].expect, 'job_assistant');
  await clickText(session, 'button', 'Run Job Assistant');
  const rows = await waitForRows(backend, team.token, 4);
  assert.deepEqual([rows[0].action, rows[0].job_id], ['job_assistant', '~021999055296412911573']);
  // Its Regenerate warns with the job's count from the backend, and counts as a regenerate.
  const regen = await waitForPage(session, (v) => v.chips.some((c) => c.expect === 'job_assistant:regenerate'));
  assert.match(regen.chips.find((c) => c.expect === 'job_assistant:regenerate').warning, /^This reroll costs 1 credit\. First reroll of this result on this job\.$/);
  await clickText(session, 'button', 'Regenerate');
  const again = await waitForRows(backend, team.token, 5);
  assert.deepEqual([again[0].action, again[0].regenerate, again[0].job_id], ['job_assistant', true, '~021999055296412911573']);
  await session.closeTab();
  await session.switchTo(browser.askTab);
});

test('a backend off loopback: Save asks for its origin from the click, then saves', async () => {
  const origin = 'https://credits.example.com/*';
  await browser.session.switchTo(browser.askTab);
  assert.equal(await browser.session.execute((o) => chrome.permissions.contains({ origins: [o] }), origin), false);
  const connection = await configureFirefox(browser, { url: 'https://credits.example.com', token: team.token });
  assert.match(connection, /^Not connected/); // the test's proxy refuses every host but Upwork
  await browser.session.switchTo(browser.askTab);
  assert.equal(await browser.session.execute((o) => chrome.permissions.contains({ origins: [o] }), origin), true);
  // Saved: the options page shows it when opened again.
  const { session } = browser;
  await browser.open(browser.url('extension/options.html'));
  const saved = () => session.execute(() => document.getElementById('backend-url').value);
  await waitFor(saved, (url) => url === 'https://credits.example.com', 'the backend URL was not saved');
  await session.closeTab();
  await session.switchTo(browser.askTab);
});
