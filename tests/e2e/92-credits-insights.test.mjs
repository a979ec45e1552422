// The credits page's Insights in real Chromium, against the backend's own /v1/insights: the
// shares by member, the Job Assistant runs that led nowhere, Job Matching against Auto Bid,
// and the daily chart with its dated axis and its two-column table alternative.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, configureExtension, createTeam, launchBrowser, screenshot, startBackend,
} from './harness.mjs';

let browser;
let backend;
let team;

before(async () => {
  backend = await startBackend();
  // A cycle that started 12 days ago: 13 days in the chart, ticks on days 1, 8 and the last.
  const anchor = new Date(Date.now() - 12 * 86_400_000).toISOString();
  team = await createTeam(backend, { name: 'Acme', plan: 'pro', seats: 2, anchor, members: ['Bo'] });
  browser = await launchBrowser();
  await configureExtension(browser, { url: backend.url, token: team.token });
  const at = new Date().toISOString();
  const ev = (action, job) => ({ id: crypto.randomUUID(), action, regenerate: false, job_id: job, occurred_at: at });
  // The owner: Job Assistant on two jobs that got nothing else, and on one that got a letter.
  await api(backend, team.token, '/v1/usage', {
    method: 'POST',
    body: { events: [ev('job_assistant', '~01a'), ev('job_assistant', '~01a'), ev('job_assistant', '~01b'), ev('job_assistant', '~01c'), ev('cover_letter', '~01c')] },
  });
  // Bo: Job Matching three times, one Auto Bid.
  await api(backend, team.tokens.Bo, '/v1/usage', {
    method: 'POST',
    body: { events: [ev('job_matching', null), ev('job_matching', null), ev('job_matching', null), ev('auto_bid', '~01d')] },
  });
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

test('Insights on the credits page say what the backend computed', async () => {
  const insights = await api(backend, team.token, '/v1/insights');
  assert.deepEqual(insights.job_assistant_unused, { jobs: 2, credits: 3 });
  assert.deepEqual(insights.matching, { job_matching: 3, auto_bid: 1 });
  assert.equal(insights.daily.length, 13);

  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(browser.extensionUrl('extension/credits.html'));
  const section = page.locator('section.insights');
  await section.locator('.by-member li').first().waitFor();

  const shares = await section.locator('.by-member li').evaluateAll((lis) => lis.map((li) => [li.dataset.id, li.textContent]));
  const total = insights.by_member.reduce((n, m) => n + m.credits, 0);
  assert.deepEqual(shares, insights.by_member.map((m) => [m.member_id, `${m.name}${m.credits} credits · ${Math.round((m.credits * 100) / total)}%`]));
  assert.deepEqual(shares.map(([, t]) => t), ['Owner5 credits · 56%', 'Bo4 credits · 44%']);
  assert.equal(await section.locator('.ja-unused').textContent(), 'Job Assistant ran on 2 jobs that got no cover letter, answer or bid: 3 credits.');
  assert.equal(await section.locator('.matching').textContent(), 'Job Matching used 3 credits; Auto Bid 1 credit.');

  // The chart's axes: the tallest day's figure, and the days under it, as this browser writes them.
  const day = (d) => new Date(`${d}T12:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  assert.equal(await section.locator('.chart-top').textContent(), `${Math.max(...insights.daily.map((d) => d.credits))} credits`);
  const ticks = await section.locator('.chart-days .tick').allTextContents();
  assert.deepEqual(ticks, [0, 7, 12].map((i) => day(insights.daily[i].date)));
  // The ticks sit under their bars, left to right, inside the chart.
  const boxes = await section.evaluate((s) => {
    const chart = s.querySelector('svg.chart').getBoundingClientRect();
    return { chart: chart.toJSON(), ticks: [...s.querySelectorAll('.chart-days .tick')].map((t) => t.getBoundingClientRect().toJSON()) };
  });
  for (const t of boxes.ticks) assert.ok(t.left >= boxes.chart.left - 1 && t.right <= boxes.chart.right + 1, JSON.stringify(boxes));
  assert.ok(boxes.ticks[0].left < boxes.ticks[1].left && boxes.ticks[1].left < boxes.ticks[2].left);

  // The table alternative: one row per day, its day and its credits in two cells.
  const table = await section.locator('.chart-table tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(table, insights.daily.map((d) => [day(d.date), d.credits === 1 ? '1 credit' : `${d.credits} credits`]));
  await screenshot(page, 'credits-insights');
  await page.close();
  assert.deepEqual(browser.errors, []);
});
