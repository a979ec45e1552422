// Accessibility: axe-core (WCAG 2.1 A and AA rules, color-contrast included) finds no
// violation on the popup, the options page, the full credits page (light and dark) and on
// what the extension adds to a labelled proposal page (chips and badge).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  api, configureExtension, createTeam, freePort, launchBrowser, openPopup, routeUpwork, screenshot, startBackend, upworkUrl, waitForChips, waitForContentScript, workerState,
} from './harness.mjs';

const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
let browser;
let backend;
let team;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { name: 'Acme', plan: 'pro', seats: 2, members: ['Bo'] });
  await backend.cli(['topup', '--team', team.teamId, '--credits', '100']);
  const events = Array.from({ length: 12 }, (_, i) => ({
    id: crypto.randomUUID(), action: i % 2 ? 'answer' : 'cover_letter', regenerate: i % 3 === 0, job_id: '~021998744339961847531', occurred_at: new Date().toISOString(),
  }));
  await api(backend, team.token, '/v1/usage', { method: 'POST', body: { events } });
  browser = await launchBrowser();
  await routeUpwork(browser.context);
  await configureExtension(browser, { url: backend.url, token: team.token });
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

/** axe's violations on `page` (within `include`, if given), as readable lines; the contrast
 *  rule must have checked something (it really ran, shadow roots included). */
async function violations(page, include) {
  await page.evaluate(AXE); // through the debugger: no page CSP applies
  const result = await page.evaluate(({ include, tags }) => window.axe.run(include ? { include } : document, { runOnly: { type: 'tag', values: tags } }), { include, tags: TAGS });
  const contrast = [...result.passes, ...result.violations].find((r) => r.id === 'color-contrast');
  assert.ok(contrast?.nodes.length > 0, 'color-contrast checked no element');
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')} (${v.nodes[0]?.failureSummary})`);
}

test('the popup, the options page and the credits page, light and dark', async () => {
  const pages = [
    ['popup', await openPopup(browser)],
    ['options', await browser.openExtensionPage('extension/options.html')],
    ['credits', await (async () => {
      const p = await browser.context.newPage();
      await p.goto(browser.extensionUrl('extension/credits.html'));
      await p.locator('main:not([aria-busy])').waitFor({ state: 'attached', timeout: 15_000 });
      return p;
    })()],
  ];
  for (const [name, page] of pages) {
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      assert.deepEqual(await violations(page), [], `${name} (${colorScheme})`);
      if (name === 'options') await screenshot(page, `options-${colorScheme}`);
    }
    await page.close();
  }
});

test('a labelled proposal page: the chips and the badge', async () => {
  const page = await browser.context.newPage();
  await page.goto(upworkUrl('/nx/proposals/job/~021998744339961847531/apply/'));
  await waitForContentScript(page);
  await waitForChips(page, (chips) => chips.length > 0);
  assert.deepEqual(await violations(page, [['upwex-credits-badge'], ['upwex-credits-chip']]), []);
  await screenshot(page, 'proposal-labelled');
  // axe cannot place the fixed badge's text over its background ("incomplete"): its own
  // contrast formula on the badge's colours, in every tone.
  const ratios = await page.evaluate(() => {
    const box = document.querySelector('upwex-credits-badge').shadowRoot.querySelector('.badge');
    const { Color, getContrast } = window.axe.commons.color;
    const parse = (css) => { const c = new Color(); c.parseString(css); return c; };
    return Object.fromEntries(['green', 'amber', 'red', 'unknown'].map((tone) => {
      box.dataset.tone = tone;
      const style = getComputedStyle(box);
      return [tone, getContrast(parse(style.backgroundColor), parse(style.color))];
    }));
  });
  for (const [tone, ratio] of Object.entries(ratios)) assert.ok(ratio >= 4.5, `white on the ${tone} badge: ${ratio.toFixed(2)}:1`);
  await page.close();
});

test('options: the token shows and hides; Sync now says what waits', async () => {
  const page = await browser.openExtensionPage('extension/options.html');
  const token = page.getByLabel('API token');
  assert.equal(await token.getAttribute('type'), 'password');
  await page.getByRole('button', { name: 'Show token' }).click();
  assert.equal(await token.getAttribute('type'), 'text');
  assert.equal(await token.inputValue(), team.token);
  await page.getByRole('button', { name: 'Hide token' }).click();
  assert.equal(await token.getAttribute('type'), 'password');
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.locator('#sync-status', { hasText: 'Everything is synced.' }).waitFor();
  await page.close();
});

test('options: a refused new token is not saved; an unreachable backend is saved and said so, plainly', async () => {
  const page = await browser.openExtensionPage('extension/options.html');
  const status = page.locator('#status');
  const connection = page.locator('#connection');
  await connection.filter({ hasText: 'Connected as Owner (Acme)' }).waitFor();
  // A wrong token: the backend is asked first, nothing changes, and the page says why.
  await page.getByLabel('API token').fill('upx_not_a_member_token');
  await page.getByRole('button', { name: 'Save' }).click();
  await status.filter({ hasText: 'Not saved' }).waitFor();
  assert.equal(await status.textContent(), 'Not saved: the backend refused this API token. Copy it again from your team owner; your previous settings stay in use.');
  assert.equal((await workerState(browser)).settings.backend.token, team.token, 'the working token stays');
  // A backend that does not answer: saved (it may be down for a while), but not a bare
  // "Saved"; the technical detail is there, folded.
  await page.getByLabel('Backend URL').fill(`http://127.0.0.1:${await freePort()}`);
  await page.getByLabel('API token').fill(team.token);
  await page.getByRole('button', { name: 'Save' }).click();
  await status.filter({ hasText: 'Saved, but' }).waitFor();
  const unreachable = 'the backend could not be reached. Check the Backend URL, or try again when it is up.';
  assert.equal(await status.textContent(), `Saved, but ${unreachable}`);
  assert.equal(await connection.textContent(), `Not connected: ${unreachable}`);
  const more = page.locator('#connection-more');
  assert.equal(await more.isVisible(), true);
  assert.equal(await more.locator('code').isVisible(), false, 'folded');
  await more.locator('summary', { hasText: 'Technical detail' }).click();
  assert.match(await more.locator('code').textContent(), /cannot be reached \(Failed to fetch\)/);
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    assert.deepEqual(await violations(page), [], `options with a failure (${colorScheme})`);
  }
  await page.close();
  await configureExtension(browser, { url: backend.url, token: team.token });
});
