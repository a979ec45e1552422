// Keyboard activation: Enter and Space on Upwex controls count exactly one event each in the
// real backend, however the page turns the key into work (the browser's own <button>
// activation, a page handler calling click(), an ARIA handler acting without click()); a key
// on a control that does nothing with it, and keys on disabled or busy controls, count none.
// The confirmation and the out-of-credits notice are reached, and answered, by keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  configureExtension, createTeam, launchBrowser, routeUpwork, screenshot, startBackend, syncNow, upworkPages,
  upworkUrl, usageRows, waitForChips, waitForContentScript, waitForRows,
} from './harness.mjs';

const KEYBOARD = '/nx/proposals/job/~021998744339961800011/apply/';
const JOB = '~021998744339961800011';
let browser;
let backend;
let team;
let page;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { plan: 'pro', seats: 1 });
  browser = await launchBrowser();
  await routeUpwork(browser.context, { ...upworkPages, [KEYBOARD]: 'keyboard.html' });
  await configureExtension(browser, { url: backend.url, token: team.token });
  await syncNow(browser);
  page = await browser.context.newPage();
  await page.goto(upworkUrl(KEYBOARD));
  await waitForContentScript(page);
  await waitForChips(page, 6); // every widget's first control but the aria-disabled one
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

const widget = (name) => page.locator(`[data-test="${name}"]`);
const control = (name) => widget(name).locator('[data-sim="generate"]').first();
const runs = async (name) => Number(await widget(name).getAttribute('data-sim-runs') ?? 0);
const idle = (name) => page.waitForFunction((n) => !document.querySelector(`[data-test="${n}"] [aria-busy]`), name);

// Presses `key` on the widget's control and waits until Upwex ran once more and the
// backend holds one row more; the widget is idle again afterwards.
async function pressCounts(name, key) {
  const rowsBefore = (await usageRows(backend, team.token)).length;
  const runsBefore = await runs(name);
  await control(name).focus();
  await page.keyboard.press(key);
  await page.waitForFunction(([n, r]) => Number(document.querySelector(`[data-test="${n}"]`).dataset.simRuns ?? 0) > r,
    [name, runsBefore]);
  const rows = await waitForRows(backend, team.token, rowsBefore + 1);
  assert.equal(rows[0].action, 'answer');
  assert.equal(rows[0].regenerate, false);
  assert.equal(rows[0].job_id, JOB);
  await idle(name);
  assert.equal(await runs(name), runsBefore + 1, `${name} ${key}: Upwex ran once`);
}

for (const name of ['native', 'button-click', 'button-direct', 'role-click', 'role-direct']) {
  test(`Enter and Space on "${name}" count one event each`, async () => {
    await pressCounts(name, 'Enter');
    await pressCounts(name, 'Space');
  });
}

test('nothing was counted twice; keys that did nothing, disabled and busy controls count none', async () => {
  const before = (await usageRows(backend, team.token)).length;
  assert.equal(before, 10, 'five controls, two keys each');
  // A role="button" without a key handler: a key does nothing, so nothing is counted.
  await control('role-mouse-only').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Space');
  // aria-disabled: the page's handler still calls click(), Upwex does not run.
  await control('role-disabled').focus();
  await page.keyboard.press('Enter');
  // Busy: the second Enter lands while Upwex is still working on the first.
  await control('role-click').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await idle('role-click');
  await page.waitForTimeout(400); // a wrong content:click would have reached the backend by now
  await syncNow(browser);
  const rows = await usageRows(backend, team.token);
  assert.equal(rows.length, before + 1, 'only the first Enter on role-click');
  assert.equal(await runs('role-mouse-only'), 0);
  assert.equal(await runs('role-disabled'), 0);
  // A mouse click on the mouse-only control still counts.
  await control('role-mouse-only').click();
  await waitForRows(backend, team.token, before + 2);
});

test('the Regenerate confirmation is reached and answered by keyboard', async () => {
  await configureExtension(browser, { url: backend.url, token: team.token, confirmRegenerate: true });
  const regenerate = widget('role-direct').locator('[data-expect="answer:regenerate"]');
  await waitForChips(page, (list) => list.some((c) => c.control.expect === 'answer:regenerate' && /^This reroll costs 1 credit\./.test(c.warning)));
  await page.waitForTimeout(300); // the pushed directives (confirm) arrive
  const notice = page.locator('upwex-credits-notice');
  const rowsBefore = (await usageRows(backend, team.token)).length;
  const runsBefore = await runs('role-direct');
  // Enter: held, the notice takes the focus; Tab to Cancel, Enter.
  await regenerate.focus();
  await page.keyboard.press('Enter');
  await notice.getByText('This reroll costs 1 credit.', { exact: false }).waitFor();
  await screenshot(page, 'keyboard-confirm');
  assert.equal(await notice.evaluate((host) => host.shadowRoot.activeElement?.textContent), 'Regenerate');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter'); // Cancel
  await notice.waitFor({ state: 'detached' });
  await page.waitForTimeout(300);
  assert.equal(await runs('role-direct'), runsBefore, 'held, then cancelled: Upwex did not run');
  assert.equal((await syncNow(browser)).pending, 0);
  // The notice is beside the control, not over it; Tab stays among its buttons; Escape
  // closes it and the focus is back on the control; nothing ran.
  await regenerate.focus();
  await page.keyboard.press('Enter');
  await notice.getByText('This reroll costs 1 credit.', { exact: false }).waitFor();
  const [box, control] = [await notice.evaluate((h) => h.shadowRoot.querySelector('.notice').getBoundingClientRect().toJSON()), await regenerate.boundingBox()];
  const overlaps = box.left < control.x + control.width && control.x < box.right && box.top < control.y + control.height && control.y < box.bottom;
  assert.equal(overlaps, false, `the notice ${JSON.stringify(box)} covers its control ${JSON.stringify(control)}`);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await notice.evaluate((host) => host.shadowRoot.activeElement?.textContent), 'Regenerate', 'Tab wraps inside the notice');
  await page.keyboard.press('Escape');
  await notice.waitFor({ state: 'detached' });
  assert.equal(await regenerate.evaluate((el) => el === document.activeElement || el.contains(document.activeElement)), true, 'the focus is back on the control');
  // A click outside closes it too.
  await page.keyboard.press('Enter');
  await notice.getByText('This reroll costs 1 credit.', { exact: false }).waitFor();
  await page.mouse.click(5, 5);
  await notice.waitFor({ state: 'detached' });
  await page.waitForTimeout(300);
  assert.equal(await runs('role-direct'), runsBefore, 'closed without confirming: Upwex did not run');
  // Space: held; Enter on the notice's "Regenerate" lets it through once.
  await regenerate.focus();
  await page.keyboard.press('Space');
  await notice.getByText('This reroll costs 1 credit.', { exact: false }).waitFor();
  assert.equal(await runs('role-direct'), runsBefore);
  await page.keyboard.press('Enter');
  await page.waitForFunction((r) => Number(document.querySelector('[data-test="role-direct"]').dataset.simRuns) === r + 1, runsBefore);
  const rows = await waitForRows(backend, team.token, rowsBefore + 1);
  assert.equal(rows[0].regenerate, true);
  assert.equal(rows[0].job_id, JOB);
  // The native <button> Regenerate (its result is there from the first test): Enter, then
  // Space on the notice's "Regenerate".
  const nativeRegenerate = widget('native').locator('[data-expect="answer:regenerate"]');
  const nativeRuns = await runs('native');
  await nativeRegenerate.focus();
  await page.keyboard.press('Enter');
  await notice.getByText('This reroll costs 1 credit.', { exact: false }).waitFor();
  await page.keyboard.press('Space');
  await page.waitForFunction((r) => Number(document.querySelector('[data-test="native"]').dataset.simRuns) === r + 1, nativeRuns);
  await waitForRows(backend, team.token, rowsBefore + 2);
  await page.waitForTimeout(300);
  assert.equal((await usageRows(backend, team.token)).length, rowsBefore + 2, 'each confirmed once');
  await configureExtension(browser, { url: backend.url, token: team.token, confirmRegenerate: false });
});

test('with nothing to spend, Enter and Space show the out-of-credits notice and count nothing', async () => {
  const anchor = new Date(Date.now() - 20 * 86_400_000).toISOString();
  const ended = await createTeam(backend, { name: 'Ended', plan: 'trial', seats: 1, anchor });
  await configureExtension(browser, { url: backend.url, token: ended.token });
  await syncNow(browser);
  await waitForChips(page, (list) => list.length > 0 && list.every((c) => /none left/.test(c.chip)));
  const notice = page.locator('upwex-credits-notice');
  for (const [name, key] of [['role-click', 'Enter'], ['role-direct', 'Space'], ['native', 'Enter'], ['button-direct', 'Space']]) {
    const runsBefore = await runs(name);
    await control(name).focus();
    await page.keyboard.press(key);
    await notice.getByText("You're out of Upwex credits").waitFor();
    assert.equal(await notice.evaluate((host) => host.shadowRoot.activeElement?.textContent), 'Top Up');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // Close
    await notice.waitFor({ state: 'detached' });
    assert.equal(await runs(name), runsBefore, `${name} ${key}: Upwex did not run`);
  }
  await screenshot(page, 'keyboard-out-of-credits');
  const state = await syncNow(browser);
  assert.equal(state.pending, 0);
  assert.deepEqual(await usageRows(backend, ended.token), []);
  assert.deepEqual(browser.errors, []);
});
