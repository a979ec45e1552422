// Recognition rules are data: rules set on the backend reach the extension (GET /v1/rules,
// then If-None-Match -> 304), are kept in storage, and keep working with the backend down
// and a fresh service worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import {
  configureExtension, createTeam, launchBrowser, routeUpwork, startBackend, startProxy, stopServiceWorker,
  syncNow, upworkPages, upworkUrl, waitForChips, waitForContentScript, waitForRows,
} from './harness.mjs';

const CUSTOM = '/nx/proposals/job/~021000000000000000042/apply/';
const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Custom</title></head><body>
<main class="fe-job-apply"><h1>Submit a Proposal</h1>
<div class="aihelper-panel"><button type="button" data-expect="cover_letter">Draft my proposal</button></div>
<div class="upwex-widget"><button type="button" data-expect="none">Draft my proposal</button></div>
</main></body></html>`;
let browser;
let backend;
let proxy;
let team;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend);
  // New markup in the field: a new marker and a new name, as a rules update.
  const rules = JSON.parse(await (await fetch(`${backend.url}/v1/rules`, { headers: { Authorization: `Bearer ${team.token}` } })).text());
  rules.version += 1;
  rules.container_marker = 'aihelper';
  rules.controls.find((c) => c.action === 'cover_letter').names.push('Draft my proposal');
  const file = join(dirname(backend.dbPath), 'rules.json');
  await writeFile(file, JSON.stringify(rules));
  await backend.cli(['rules', 'set', '--file', file]);
  proxy = await startProxy(backend.url);
  browser = await launchBrowser();
  await routeUpwork(browser.context, { ...upworkPages, [CUSTOM]: { body: page } });
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await backend?.stop();
});

test('rules from the backend replace the shipped ones', async () => {
  await configureExtension(browser, { url: proxy.url, token: team.token });
  await syncNow(browser);
  const tab = await browser.context.newPage();
  await tab.goto(upworkUrl(CUSTOM));
  await waitForContentScript(tab);
  const [chip] = await waitForChips(tab, 1);
  assert.equal(chip.control.expect, 'cover_letter');
  await tab.getByRole('button', { name: 'Draft my proposal' }).first().click();
  const rows = await waitForRows(backend, team.token, 1);
  assert.equal(rows[0].job_id, '~021000000000000000042');
  await tab.close();
});

test('an hour later it asks again with the ETag; 304 keeps the rules', async () => {
  const gets = () => proxy.seen.filter((r) => r.url === '/v1/rules');
  assert.equal(gets().length, 1);
  assert.equal(gets()[0].headers['if-none-match'], undefined);
  // An hour passes: the stored check time is moved back, and a new worker life loads it.
  await browser.serviceWorker.evaluate(async () => {
    const { rules } = await chrome.storage.local.get('rules');
    rules.checked_at = new Date(Date.now() - 2 * 3600_000).toISOString();
    await chrome.storage.local.set({ rules });
  });
  await stopServiceWorker(browser.context);
  await syncNow(browser);
  const again = gets();
  assert.equal(again.length, 2);
  assert.match(again[1].headers['if-none-match'] ?? '', /^"/, 'sent with the stored ETag');
  const { rules } = await browser.serviceWorker.evaluate(() => chrome.storage.local.get('rules'));
  assert.equal(rules.rules.container_marker, 'aihelper', 'kept after the 304');
  assert.ok(Date.now() - Date.parse(rules.checked_at) < 60_000);
});

test('the stored rules serve with the backend down and a fresh service worker', async () => {
  await backend.stop();
  await stopServiceWorker(browser.context);
  const tab = await browser.context.newPage();
  await tab.goto(upworkUrl(CUSTOM));
  await waitForContentScript(tab);
  const [chip] = await waitForChips(tab, 1);
  assert.equal(chip.control.expect, 'cover_letter');
  await tab.close();
  await backend.start();
});
