// The store package (`cargo xtask package` -> dist/upwex-credits-<version>.zip, written
// before these tests by `cargo xtask test`): it holds only the shipped files, each the same
// bytes as the built extension; unpacked to a temporary folder it loads in Chromium, its
// service worker answers and its popup renders the backend's figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  api, configureExtension, createTeam, extensionVersion, launchBrowser, openPopup, paths, popupView, scratchDir,
  startBackend, unzip,
} from './harness.mjs';

let dir;
let entries;
let browser;
let backend;

before(async () => {
  const version = JSON.parse(await readFile(join(paths.extensionDir, 'manifest.json'), 'utf8')).version;
  const zip = join(paths.extensionDir, 'dist', `upwex-credits-${version}.zip`);
  await stat(zip).catch(() => {
    throw new Error(`${zip} is missing: run \`cargo xtask package\` (cargo xtask test does)`);
  });
  dir = await scratchDir('package-');
  entries = await unzip(zip, dir);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

test('the package holds the shipped files only, as built', async () => {
  assert.ok(entries.includes('manifest.json'));
  for (const f of ['extension/popup.html', 'extension/popup.js', 'extension/popup.css', 'extension/background.js',
    'extension/pkg/credits_extension_bg.wasm', '_locales/en/messages.json']) {
    assert.ok(entries.includes(f), `${f} is shipped`);
  }
  const unshipped = entries.filter((e) => /^(target|tests|dist|node_modules|core|backend|xtask)\/|\.rs$|Cargo|\.md$/.test(e) || e.includes('/src/'));
  assert.deepEqual(unshipped, []);
  // Every entry is the built file, byte for byte (the package is not stale).
  for (const e of entries) {
    assert.ok((await readFile(join(dir, e))).equals(await readFile(join(paths.extensionDir, e))), `${e} differs from the built file`);
  }
});

test('unpacked, it loads in Chromium: the service worker answers and the popup renders', async () => {
  browser = await launchBrowser({ extensionDir: dir });
  assert.ok(browser.serviceWorker.url().startsWith('chrome-extension://'));
  const popup = await openPopup(browser);
  const reply = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'page:version' }));
  assert.deepEqual(reply, { version: await extensionVersion() });
  assert.equal((await popupView(popup)).state, 'not-configured');
  assert.equal(await popup.locator('#version').textContent(), reply.version);
  await popup.close();

  backend = await startBackend();
  const team = await createTeam(backend, { name: 'Packaged', plan: 'max', seats: 1 });
  await configureExtension(browser, { url: backend.url, token: team.token });
  const configured = await openPopup(browser);
  const balance = await api(backend, team.token, '/v1/balance');
  const view = await popupView(configured);
  assert.equal(view.state, 'ok');
  assert.deepEqual([view.remaining, view.total], [balance.remaining, balance.total].map(String));
  assert.equal(view.team, 'Owner · Packaged');
  await configured.close();
  assert.deepEqual(browser.errors, []);
});
