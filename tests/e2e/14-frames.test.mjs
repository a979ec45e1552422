// Frames: Upwex widgets inside same-origin frames of an Upwork page (a `srcdoc` frame, a
// `src` frame, an about:blank frame the page fills) are labelled and counted, with the job id
// of the TOP page's URL, also after the top page navigates client-side; the badge is drawn in
// the top frame only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  configureExtension, createTeam, launchBrowser, routeUpwork, startBackend, syncNow, upworkPages, upworkUrl,
  usageRows, waitForContentScript, waitForRows,
} from './harness.mjs';

const FRAMES = '/nx/proposals/job/~021998744339961800022/apply/';
const JOB = '~021998744339961800022';
const NEXT_JOB = '~021998744339961800033';
let browser;
let backend;
let team;
let page;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { plan: 'pro', seats: 1 });
  browser = await launchBrowser();
  await routeUpwork(browser.context, { ...upworkPages, [FRAMES]: 'frames.html' });
  await configureExtension(browser, { url: backend.url, token: team.token });
  await syncNow(browser);
  page = await browser.context.newPage();
  await page.goto(upworkUrl(FRAMES));
  await waitForContentScript(page);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

const frame = (name) => page.frameLocator(`iframe[data-test="${name}-frame"]`);
const chipIn = (name) => frame(name).locator('upwex-credits-chip');
const runs = async (name) => Number(await frame(name).locator('[data-sim-widget], .upwex-widget').first().getAttribute('data-sim-runs') ?? 0);

test('widgets in srcdoc, src and about:blank frames are labelled; the badge is in the top frame only', async () => {
  for (const name of ['srcdoc', 'src', 'blank']) {
    await chipIn(name).waitFor({ state: 'attached', timeout: 15_000 });
    assert.equal(await chipIn(name).evaluate((el) => el.shadowRoot.querySelector('.chip').textContent), '1 credit', name);
    assert.equal(await frame(name).locator('upwex-credits-badge').count(), 0, `no badge in the ${name} frame`);
  }
  assert.equal(await page.locator('upwex-credits-badge').count(), 1);
});

test('a click and a key in each frame count one event each, with the top page\'s job id', async () => {
  let expected = 0;
  for (const name of ['srcdoc', 'src', 'blank']) {
    const control = frame(name).locator('[data-expect="answer"]');
    await control.click();
    let rows = await waitForRows(backend, team.token, ++expected);
    assert.equal(rows[0].action, 'answer');
    assert.equal(rows[0].job_id, JOB, name);
    await frame(name).locator('[aria-busy]').waitFor({ state: 'detached' });
    await control.focus();
    await page.keyboard.press('Enter');
    rows = await waitForRows(backend, team.token, ++expected);
    assert.equal(rows[0].job_id, JOB, name);
    await frame(name).locator('[aria-busy]').waitFor({ state: 'detached' });
  }
  assert.equal(await runs('srcdoc'), 2);
  assert.equal(await runs('src'), 2);
  assert.equal(await runs('blank'), 2);
  await page.waitForTimeout(300);
  assert.equal((await usageRows(backend, team.token)).length, expected, 'counted once each');
});

test('after the top page navigates client-side, a frame counts with the new job id', async () => {
  const before = (await usageRows(backend, team.token)).length;
  await page.evaluate((job) => history.pushState({}, '', `/nx/proposals/job/${job}/apply/`), NEXT_JOB);
  await page.waitForTimeout(1_500); // frames see the top's URL change (events, or their 1 s look)
  await frame('src').locator('[data-expect="answer"]').click();
  const rows = await waitForRows(backend, team.token, before + 1);
  assert.equal(rows[0].job_id, NEXT_JOB);
  assert.deepEqual(browser.errors, []);
});
