// Smoke test: the built extension loads, its WASM runs in the service worker and in an
// extension page (options), and its content script runs on a routed Upwork page under a
// strict CSP (no WASM there: it asks the worker).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  extensionVersion, launchBrowser, routeUpwork, screenshot, upworkUrl, waitForContentScript,
} from './harness.mjs';

let browser;
let version;

before(async () => {
  version = await extensionVersion();
  browser = await launchBrowser();
  await routeUpwork(browser.context);
});

after(async () => {
  await browser?.close();
});

test('the service worker answers with the WASM version, and an extension page runs WASM', async () => {
  const popup = await browser.openExtensionPage('extension/popup.html');
  const reply = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'page:version' }));
  assert.deepEqual(reply, { version });
  await popup.locator('#version', { hasText: version }).waitFor();
  await screenshot(popup, 'smoke-popup');
  await popup.close();
  // The options page checks its form with the WASM module loaded in the page itself.
  const options = await browser.openExtensionPage('extension/options.html');
  await options.getByLabel('Backend URL').fill('http://credits.example.com');
  await options.getByLabel('API token').fill('upx_x');
  await options.getByRole('button', { name: 'Save' }).click();
  await options.locator('#status', { hasText: 'plain http is only for a backend on this machine' }).waitFor();
  await options.close();
});

test('the content script runs on an Upwork page whose CSP forbids WASM', async () => {
  const page = await browser.context.newPage();
  await page.goto(upworkUrl('/nx/find-work/'));
  assert.equal(await waitForContentScript(page), 'Not connected', 'not set up yet: no balance, said in words');
  // The fixture really is strict: the page itself cannot compile WASM.
  const pageWasm = await page.evaluate(() =>
    WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => 'compiled', (e) => e.name));
  assert.equal(pageWasm, 'CompileError');
  await screenshot(page, 'smoke-feed');
  await page.close();
});

test('unknown Upwork paths answer 404', async () => {
  const page = await browser.context.newPage();
  const logged = browser.errors.length;
  const response = await page.goto(upworkUrl('/nx/no-such-page'));
  assert.equal(response.status(), 404);
  await page.close();
  browser.errors.splice(logged); // the expected "Failed to load resource" console line
});

test('the page\'s own scripts cannot reach the extension\'s messaging', async () => {
  const page = await browser.context.newPage();
  await page.goto(upworkUrl('/nx/find-work/'));
  await waitForContentScript(page);
  // The page's own world has no chrome.runtime (and the worker takes page:* only from
  // the extension's own pages).
  assert.equal(await page.evaluate(() => typeof globalThis.chrome?.runtime?.sendMessage), 'undefined');
  await page.close();
});

test('no errors were logged by the extension or the pages', () => {
  assert.deepEqual(browser.errors, []);
});
