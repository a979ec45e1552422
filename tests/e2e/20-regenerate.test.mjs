// Regenerate: three rerolls of a cover letter are 4 usage rows, and the warning before each
// reroll shows how many credits the job has used (the backend's count plus pending). The
// confirmation option holds the click until the user confirms, then counts it once. The
// older hex job id form lands in the usage row too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  configureExtension, createTeam, launchBrowser, routeUpwork, screenshot, startBackend, syncNow, upworkUrl,
  usageRows, waitForChips, waitForContentScript, waitForRows,
} from './harness.mjs';

const PROPOSAL = '/nx/proposals/job/~021998744339961847531/apply/';
const JOB = '~021998744339961847531';
let browser;
let backend;
let team;
let page;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { plan: 'lite', seats: 1, members: ['Bea'] });
  browser = await launchBrowser();
  await routeUpwork(browser.context);
  await configureExtension(browser, { url: backend.url, token: team.token });
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

const regenerate = () => page.locator('.upwex-cover-letter button[aria-label="Regenerate"]');
const coverLetterRuns = () => page.locator('.upwex-cover-letter').getAttribute('data-sim-runs');
const regenerateWarning = async () =>
  (await waitForChips(page, (list) => list.some((c) => c.control.expect === 'cover_letter:regenerate')))
    .find((c) => c.control.expect === 'cover_letter:regenerate').warning;

async function waitForWarning(rerolls) {
  const want = rerolls === 0
    ? 'This reroll costs 1 credit. First reroll of this result on this job.'
    : `This reroll costs 1 credit. Rerolls of this result on this job so far: ${rerolls}.`;
  const deadline = Date.now() + 15_000;
  let last;
  while ((last = await regenerateWarning()) !== want) {
    if (Date.now() > deadline) throw new Error(`warning ${JSON.stringify(last)}, wanted ${JSON.stringify(want)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("the warning counts this result's rerolls on the job, other members' included", async () => {
  // Bea already rerolled a cover letter and an answer for this job from another browser.
  const { api } = await import('./harness.mjs');
  const at = new Date().toISOString();
  await api(backend, team.tokens.Bea, '/v1/usage', {
    method: 'POST',
    body: { events: [
      { id: crypto.randomUUID(), action: 'cover_letter', regenerate: true, job_id: JOB, occurred_at: at },
      { id: crypto.randomUUID(), action: 'answer', regenerate: true, job_id: JOB, occurred_at: at },
    ] },
  });
  await syncNow(browser);
  page = await browser.context.newPage();
  await page.goto(upworkUrl(PROPOSAL));
  await waitForContentScript(page);
  await page.getByRole('button', { name: 'Generate Cover Letter' }).first().click();
  await regenerate().waitFor();
  await waitForWarning(1); // Bea's cover letter reroll; her answer's and this first letter are not rerolls of it
});

test('three rerolls of a cover letter are 4 usage rows, the warning counting up', async () => {
  for (let i = 0; i < 3; i++) {
    await waitForWarning(1 + i);
    if (i === 2) await screenshot(page, 'regenerate-warning');
    await regenerate().click();
    await page.waitForFunction((n) => document.querySelector('.upwex-cover-letter').dataset.simRuns === String(n), i + 2);
  }
  await waitForWarning(4);
  const rows = (await waitForRows(backend, team.token, 6)).filter((r) => r.member === 'Owner');
  assert.equal(rows.length, 4, 'one cover letter and three rerolls');
  assert.deepEqual(rows.map((r) => r.regenerate).sort(), [false, true, true, true]);
  assert.ok(rows.every((r) => r.action === 'cover_letter' && r.job_id === JOB));
});

test('with the confirmation option, a reroll waits for "Regenerate" and then counts once', async () => {
  await configureExtension(browser, { url: backend.url, token: team.token, confirmRegenerate: true });
  await page.waitForTimeout(300); // the pushed directives arrive
  const rowsBefore = (await usageRows(backend, team.token)).length;
  const runsBefore = await coverLetterRuns();
  await regenerate().click();
  const notice = page.locator('upwex-credits-notice');
  await notice.getByText('Rerolls of this result on this job so far: 4.', { exact: false }).waitFor();
  await screenshot(page, 'regenerate-confirm');
  // Held: Upwex did not regenerate, nothing was recorded.
  assert.equal(await coverLetterRuns(), runsBefore);
  assert.equal((await syncNow(browser)).pending, 0);
  // Cancel lets nothing through.
  await notice.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForTimeout(200);
  assert.equal(await coverLetterRuns(), runsBefore);
  // Confirmed: the click goes through once and is counted once.
  await regenerate().click();
  await notice.getByRole('button', { name: 'Regenerate' }).click();
  await page.waitForFunction((n) => document.querySelector('.upwex-cover-letter').dataset.simRuns === String(n), Number(runsBefore) + 1);
  const rows = await waitForRows(backend, team.token, rowsBefore + 1);
  assert.equal(rows[0].regenerate, true);
  await page.waitForTimeout(300);
  assert.equal((await usageRows(backend, team.token)).length, rowsBefore + 1, 'counted once');
  await configureExtension(browser, { url: backend.url, token: team.token, confirmRegenerate: false });
});

test('the older hex job id form lands in the usage row (job page, icon-only Job Assistant)', async () => {
  const job = await browser.context.newPage();
  await job.goto(upworkUrl('/jobs/Some-title_~0133110211e88e3a06/'));
  await waitForContentScript(job);
  const labelled = await waitForChips(job, 1);
  assert.equal(labelled[0].control.expect, 'job_assistant');
  const before = (await usageRows(backend, team.token)).length;
  await job.locator('button[title="Job Assistant"]').click();
  const rows = await waitForRows(backend, team.token, before + 1);
  assert.equal(rows[0].action, 'job_assistant');
  assert.equal(rows[0].job_id, '~0133110211e88e3a06');
  // Its Regenerate (named by aria-labelledby) takes the widget's action.
  const regen = await waitForChips(job, (list) => list.some((c) => c.control.expect === 'job_assistant:regenerate'));
  assert.equal(regen.find((c) => c.control.expect === 'job_assistant:regenerate').warning, 'This reroll costs 1 credit. First reroll of this result on this job.');
  // The aria-disabled "Write Cover Letter" teaser is not labelled.
  assert.ok(!regen.some((c) => c.control.expect === 'none'));
  await job.close();
  assert.deepEqual(browser.errors, []);
});
