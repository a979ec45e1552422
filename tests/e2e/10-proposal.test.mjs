// The proposal page: the Cover Letter widget and three screening questions with Answer are
// labelled (one of them inside an open shadow root, inserted late); Upwork's own "Cover
// Letter" label and button, a question that says "answer", a disabled and a busy control are
// not. Clicks are counted in the backend's ledger with the job id from the URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, badge, chips, configureExtension, createTeam, launchBrowser, routeUpwork, screenshot, startBackend,
  shortDay, syncNow, upworkUrl, usageRows, waitForBadge, waitForChips, waitForContentScript, waitForRows,
} from './harness.mjs';

const PROPOSAL = '/nx/proposals/job/~021998744339961847531/apply/';
const JOB = '~021998744339961847531';
let browser;
let backend;
let team;
let page;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { name: 'Acme', plan: 'pro', seats: 1 }); // 250 credits
  browser = await launchBrowser();
  await routeUpwork(browser.context);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

test('the real options page connects the extension to the backend', async () => {
  const connection = await configureExtension(browser, { url: backend.url, token: team.token });
  assert.equal(connection, 'Connected as Owner (Acme)');
  const state = await syncNow(browser);
  assert.equal(state.view.badge.spendable, 250);
  assert.equal(state.settings.backend.url, backend.url);
});

test('every Upwex control is labelled and nothing else is', async () => {
  page = await browser.context.newPage();
  await page.goto(upworkUrl(PROPOSAL));
  await waitForContentScript(page);
  // Cover Letter, Answer x3 (the third in a shadow root, ~200 ms late).
  const labelled = await waitForChips(page, 4);
  assert.deepEqual(labelled.map((c) => c.control.expect).sort(), ['answer', 'answer', 'answer', 'cover_letter']);
  assert.ok(labelled.every((c) => c.chip === '1 credit' && c.warning === ''), JSON.stringify(labelled));
  // The oracle: every control the fixture marks "none" (decoys, disabled, busy) has no chip.
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('[data-expect="none"]')]
    .filter((el) => el.nextElementSibling?.localName === 'upwex-credits-chip').map((el) => el.outerHTML));
  assert.deepEqual(unlabelled, []);
  // Upwork's label "Cover Letter" is untouched, its text unchanged.
  assert.equal(await page.locator('#cover_letter_label').textContent(), 'Cover Letter');
  const b = await waitForBadge(page, '250');
  assert.equal(b.tone, 'green');
  // The detail (hover, focus) adds to the number: the split and the reset date; the label
  // says it all.
  const resets = `Resets ${await shortDay(page, (await api(backend, team.token, '/v1/balance')).resets_at)}`;
  assert.equal(b.detail, `250 monthly + 0 extra · ${resets}`);
  assert.equal(b.label, `250 credits left: 250 monthly, 0 extra. ${resets}`);
  await screenshot(page, 'proposal-labelled');
});

test('a click counts one event with the job id, and the badge moves at once', async () => {
  const before = await usageRows(backend, team.token);
  await page.getByRole('button', { name: 'Generate Cover Letter' }).first().click();
  await waitForBadge(page, '249');
  const rows = await waitForRows(backend, team.token, before.length + 1);
  assert.equal(rows[0].action, 'cover_letter');
  assert.equal(rows[0].regenerate, false);
  assert.equal(rows[0].job_id, JOB);
  assert.equal(rows[0].member, 'Owner');
});

test('the Answer inside the open shadow root is counted', async () => {
  const before = await usageRows(backend, team.token);
  // Playwright's locators pierce open shadow roots.
  await page.locator('.upwex-shadow-host button[aria-labelledby="answer-3-label"]').click();
  const rows = await waitForRows(backend, team.token, before.length + 1);
  assert.equal(rows[0].action, 'answer');
  assert.equal(rows[0].job_id, JOB);
  // The Upwex widget did its work (the click was let through).
  await page.waitForFunction(() => document.querySelector('.upwex-shadow-host').shadowRoot
    .querySelector('[data-sim-widget]').dataset.simRuns === '1');
});

test('disabled and busy controls, decoys and Upwork\'s own buttons are not counted', async () => {
  const before = await usageRows(backend, team.token);
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('[data-expect="none"]')) el.click();
  });
  // Upwork's own "Generate Cover Letter" (outside any Upwex container).
  await page.locator('[data-qa="ai-cover-letter"]').click();
  await page.waitForTimeout(300); // a (wrong) content:click would have reached the worker by now
  const state = await syncNow(browser);
  assert.equal(state.pending, 0);
  assert.equal((await usageRows(backend, team.token)).length, before.length);
  assert.equal((await badge(page)).text, String(250 - before.length));
});

test('a control that becomes busy loses its chip; back to idle it is labelled again', async () => {
  const answer = page.getByRole('button', { name: 'Answer with AI' });
  await answer.evaluate((el) => el.setAttribute('aria-busy', 'true'));
  await waitForChips(page, (list) => !list.some((c) => c.control.text === 'Answer with AI'));
  await answer.evaluate((el) => el.removeAttribute('aria-busy'));
  await waitForChips(page, (list) => list.some((c) => c.control.text === 'Answer with AI'));
  assert.deepEqual(browser.errors, []);
});
