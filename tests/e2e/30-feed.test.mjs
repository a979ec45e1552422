// The feed: a job slider opens by history.pushState (no page load) and its Job Assistant
// appears ~300 ms later in a generic Upwex container; the job id follows the URL. Regenerate
// there takes the action of its neighbour. Job tiles' text ("Cover Letter", "Answer") is
// never labelled, also after "Load More Jobs".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  chips, configureExtension, createTeam, launchBrowser, routeUpwork, screenshot, startBackend, upworkUrl,
  waitForChips, waitForContentScript, waitForRows,
} from './harness.mjs';

let browser;
let backend;
let team;
let page;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { plan: 'pro', seats: 2 });
  browser = await launchBrowser();
  await routeUpwork(browser.context);
  await configureExtension(browser, { url: backend.url, token: team.token });
  page = await browser.context.newPage();
  await page.goto(upworkUrl('/nx/find-work/most-recent'));
  await waitForContentScript(page);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

test('a feed without Upwex widgets has no chips, even with "Cover Letter" in its text', async () => {
  await page.getByRole('button', { name: 'Load More Jobs' }).click();
  await page.waitForTimeout(300);
  assert.deepEqual(await chips(page), []);
});

test('a slider opened by pushState gets its late Job Assistant labelled and counted', async () => {
  await page.getByRole('link', { name: 'Rust / WebAssembly engineer for a Chrome extension' }).click();
  assert.match(page.url(), /\/details\/~021999055296412911573\?/);
  const [chip] = await waitForChips(page, 1);
  assert.equal(chip.control.expect, 'job_assistant');
  await screenshot(page, 'feed-slider-labelled');
  await page.getByRole('button', { name: 'Run Job Assistant' }).click();
  const rows = await waitForRows(backend, team.token, 1);
  assert.deepEqual([rows[0].action, rows[0].job_id], ['job_assistant', '~021999055296412911573']);
  // Its Regenerate, in the generic #upwex-root, takes its neighbour's action.
  const labelled = await waitForChips(page, (list) => list.some((c) => c.control.expect === 'job_assistant:regenerate'));
  assert.match(labelled.find((c) => c.control.expect === 'job_assistant:regenerate').warning, /^This reroll costs 1 credit\. First reroll of this result on this job\.$/);
  await page.getByRole('button', { name: 'Regenerate' }).click();
  const again = await waitForRows(backend, team.token, 2);
  assert.deepEqual([again[0].action, again[0].regenerate, again[0].job_id], ['job_assistant', true, '~021999055296412911573']);
});

test('another slider is another job: the id follows the URL', async () => {
  await page.getByRole('button', { name: 'Close' }).click(); // pushState back to the feed
  await waitForChips(page, 0);
  await page.getByRole('link', { name: 'Vue / Nuxt dashboard for a SaaS' }).click();
  await waitForChips(page, 1);
  const [chip] = await chips(page);
  assert.equal(chip.warning, '');
  await page.getByRole('button', { name: 'Run Job Assistant' }).click();
  const rows = await waitForRows(backend, team.token, 3);
  assert.equal(rows[0].job_id, '~021999060037801980319');
  // Back (popstate) closes it; forward again opens the first job's slider from the URL.
  await page.goBack();
  await waitForChips(page, 0);
  assert.deepEqual(browser.errors, []);
});

test('loading a slider URL directly opens it with its widget labelled', async () => {
  const direct = await browser.context.newPage();
  await direct.goto(upworkUrl('/nx/find-work/most-recent/details/~021999055296412911573?pageTitle=Job%20Details'));
  await waitForContentScript(direct);
  const [chip] = await waitForChips(direct, 1);
  assert.equal(chip.control.expect, 'job_assistant');
  await direct.close();
});
