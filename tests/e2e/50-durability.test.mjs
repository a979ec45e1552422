// Nothing lost, nothing doubled: clicks made while the backend is down drain once it is
// back; a service worker stopped in the middle of a sync (request held before or after the
// backend applied it) sends the batch again and the backend answers `duplicate`; a browser
// restart with events pending sends them once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  badge, configureExtension, createTeam, launchBrowser, routeUpwork, startBackend, startProxy, stopServiceWorker,
  syncNow, upworkUrl, usageRows, waitForBadge, waitForChips, waitForContentScript, waitForRows, workerState,
} from './harness.mjs';

const PROPOSAL = '/nx/proposals/job/~021998744339961847531/apply/';
let browser;
let backend;
let team;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { plan: 'pro', seats: 1 });
  browser = await launchBrowser();
  await routeUpwork(browser.context);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

async function proposal(b = browser) {
  const page = await b.context.newPage();
  await page.goto(upworkUrl(PROPOSAL));
  await waitForContentScript(page);
  await waitForChips(page, 4);
  return page;
}

// Three different Answer controls: three events.
async function clickAnswers(page) {
  await page.getByRole('button', { name: 'Answer with AI' }).click();
  await page.getByRole('button', { name: 'Generate Answer' }).click();
  await page.locator('.upwex-shadow-host button[aria-labelledby="answer-3-label"]').click();
}

const ids = (rows) => rows.map((r) => r.id);

test('offline then online: the outbox drains, every event once', async () => {
  await configureExtension(browser, { url: backend.url, token: team.token });
  await syncNow(browser);
  const page = await proposal();
  await waitForBadge(page, '250');
  await backend.stop();
  await clickAnswers(page);
  // Optimistic at once, and the problem is shown.
  await waitForBadge(page, (b) => b.text === '247' && /Offline: 3 waiting to sync/.test(b.problem));
  assert.equal((await workerState(browser)).pending, 3);
  await new Promise((r) => setTimeout(r, 1500)); // a retry or two fail
  await backend.start();
  // No "sync now": the backoff timer retries by itself.
  const rows = await waitForRows(backend, team.token, 3, { timeout: 30_000 });
  assert.deepEqual(rows.map((r) => r.action), ['answer', 'answer', 'answer']);
  await waitForBadge(page, (b) => b.text === '247' && b.problem === '');
  assert.equal((await workerState(browser)).pending, 0);
  await page.close();
});

for (const { when, forwardFirst } of [
  { when: 'after the backend applied the batch (the answer is lost)', forwardFirst: true },
  { when: 'before the request reached the backend', forwardFirst: false },
]) {
  test(`the service worker stopped in the middle of a sync, ${when}: nothing lost, nothing doubled`, async () => {
    const proxy = await startProxy(backend.url);
    try {
      await configureExtension(browser, { url: proxy.url, token: team.token });
      await syncNow(browser);
      const before = await usageRows(backend, team.token);
      const page = await proposal();
      const held = proxy.hold((r) => r.method === 'POST' && r.url === '/v1/usage', { forwardFirst });
      await clickAnswers(page);
      await held;
      await stopServiceWorker(browser.context, page); // the worker dies with the request out
      await proxy.release({ drop: true });
      // Wake a fresh worker (a new page asks it): it loads the outbox and syncs again.
      const again = await proposal();
      const rows = await waitForRows(backend, team.token, before.length + 3, { timeout: 30_000 });
      const fresh = rows.slice(0, 3);
      assert.equal(new Set(ids(rows)).size, rows.length);
      assert.ok(fresh.every((r) => r.action === 'answer'));
      const state = await syncNow(browser);
      assert.equal(state.pending, 0);
      assert.equal(state.rejected.length, 0);
      assert.equal((await usageRows(backend, team.token)).length, before.length + 3, 'no event counted twice');
      const posts = proxy.seen.filter((r) => r.method === 'POST').length;
      assert.ok(posts >= 2, `the batch was sent again (${posts} POSTs)`);
      await page.close();
      await again.close();
    } finally {
      await proxy.release();
      await proxy.close();
    }
  });
}

test('a browser restart with events still pending: sent once after the restart', async () => {
  await configureExtension(browser, { url: backend.url, token: team.token });
  await syncNow(browser);
  const before = await usageRows(backend, team.token);
  const page = await proposal();
  await backend.stop();
  await clickAnswers(page);
  await waitForBadge(page, (b) => /3 waiting/.test(b.problem));
  browser = await browser.restart(); // closes Chromium; the profile (extension storage) stays
  await routeUpwork(browser.context);
  await backend.start();
  const state = await workerState(browser); // the new worker has the events from storage
  assert.ok(state.pending === 3 || state.pending === 0, `pending ${state.pending}`);
  await waitForRows(backend, team.token, before.length + 3, { timeout: 30_000 });
  await syncNow(browser);
  assert.equal((await usageRows(backend, team.token)).length, before.length + 3);
  const page2 = await proposal();
  assert.equal((await badge(page2)).text, String(250 - before.length - 3));
  await page2.close();
});
