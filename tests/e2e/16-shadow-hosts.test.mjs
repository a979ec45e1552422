// Shadow hosts: Upwex widgets inside the open shadow roots of custom elements that sit in no
// Upwex container (found by the content script's native query for custom elements, not by a
// visit of every element): one parsed with the page, one appended after load, each labelled
// and counted once; a control in such a shadow root but outside any container is not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  chips, configureExtension, createTeam, launchBrowser, routeUpwork, startBackend, syncNow, upworkPages, upworkUrl,
  usageRows, waitForChips, waitForContentScript, waitForRows,
} from './harness.mjs';

const PAGE = '/nx/proposals/job/~021998744339961800044/apply/';
const JOB = '~021998744339961800044';
let browser;
let backend;
let team;
let page;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { plan: 'pro', seats: 1 });
  browser = await launchBrowser();
  await routeUpwork(browser.context, { ...upworkPages, [PAGE]: 'shadow-hosts.html' });
  await configureExtension(browser, { url: backend.url, token: team.token });
  await syncNow(browser);
  page = await browser.context.newPage();
  await page.goto(upworkUrl(PAGE));
  await waitForContentScript(page);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

const card = (name) => page.locator(`upwork-card[data-test="${name}"]`);

test('widgets in custom elements\' shadow roots are labelled, parsed or appended; the decoy is not', async () => {
  const labelled = await waitForChips(page, 2);
  assert.deepEqual(labelled.map((c) => c.control.expect), ['answer', 'answer']);
  await page.waitForTimeout(300); // nothing else comes
  assert.equal((await chips(page)).length, 2);
  assert.equal(await card('decoy').locator('upwex-credits-chip').count(), 0);
});

test('a click in each counts one event with the page\'s job id', async () => {
  let expected = 0;
  for (const name of ['parsed', 'appended']) {
    await card(name).locator('button').click(); // Playwright's locators pierce open shadow roots
    const rows = await waitForRows(backend, team.token, ++expected);
    assert.equal(rows[0].action, 'answer', name);
    assert.equal(rows[0].job_id, JOB, name);
  }
  await card('decoy').locator('button').click();
  await page.waitForTimeout(300);
  assert.equal((await usageRows(backend, team.token)).length, expected, 'counted once each, the decoy not');
  assert.equal(await card('decoy').getAttribute('data-sim-runs'), '1', 'the decoy did its own work');
});
