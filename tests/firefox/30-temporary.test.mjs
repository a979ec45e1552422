// The package loaded the way extension/README.md tells a developer to (about:debugging,
// "Load Temporary Add-on"): no manifest warnings, the background answers, the popup draws.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { extensionVersion, launchFirefox, startUpwork, waitFor } from './harness.mjs';

let upwork;
let browser;

before(async () => {
  upwork = await startUpwork();
  browser = await launchFirefox({ upwork, temporary: true });
});

after(async () => {
  await browser?.quit();
  await upwork?.close();
});

test('as a temporary add-on it loads cleanly, answers and draws its popup', async () => {
  assert.deepEqual(await browser.manifestProblems(), []);
  assert.deepEqual(await browser.ask('page:version'), { version: await extensionVersion() });
  const { session } = browser;
  await browser.open(browser.url('extension/popup.html'));
  const state = await waitFor(() => session.execute(() => {
    const root = document.getElementById('popup');
    return root.hasAttribute('aria-busy') ? null : root.dataset.state;
  }), Boolean, 'the popup never drew');
  assert.equal(state, 'not-configured');
  assert.deepEqual(await browser.errors(), []);
});
