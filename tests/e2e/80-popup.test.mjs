// The popup, the credits page in small, opened in real Chromium as
// chrome-extension://ID/extension/popup.html: after clicks on the proposal fixture it shows
// exactly the backend's figures (cards, resets date in the browser's locale, usage rows,
// members largest first); filters and "Show more" page through the backend's history; an
// owner's Top Up moves Extra Credits and a member is told who can; insights show the
// forecast, the fitting advice and one bar per day; screenshots in light and dark.
// Every expectation is the backend's own answer, asked with the team's token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, configureExtension, createTeam, launchBrowser, message, openPopup, popupView, routeUpwork, screenshot,
  startBackend, syncNow, upworkUrl, waitForChips, waitForContentScript, waitForPopupView, waitForRows,
} from './harness.mjs';

const PROPOSAL = '/nx/proposals/job/~021998744339961847531/apply/';
let browser;
let backend;
let team;

before(async () => {
  backend = await startBackend();
  // Pro, 2 seats: 500 a month; 100 Extra Credits bought earlier.
  team = await createTeam(backend, { name: 'Acme', plan: 'pro', seats: 2, members: ['Bo', 'Cy'] });
  await backend.cli(['topup', '--team', team.teamId, '--credits', '100']);
  browser = await launchBrowser();
  await routeUpwork(browser.context);
  await configureExtension(browser, { url: backend.url, token: team.token });
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

/** Events as another client sends them (Auto Bid, the Prompts editor, another browser). */
async function use(token, actions, { regenerate = () => false, job = () => undefined } = {}) {
  for (let i = 0; i < actions.length; i += 500) {
    const events = actions.slice(i, i + 500).map((action, k) => ({
      id: crypto.randomUUID(), action, regenerate: regenerate(i + k), job_id: job(i + k), occurred_at: new Date().toISOString(),
    }));
    const answer = await api(backend, token, '/v1/usage', { method: 'POST', body: { events } });
    assert.ok(answer.results.every((r) => r.status === 'applied'), JSON.stringify(answer.results.filter((r) => r.status !== 'applied')));
  }
}

/** The same Intl calls the worker makes, in the popup page (the browser's locale and zone). */
const formats = (page, values) => page.evaluate(({ numbers, dates, times }) => ({
  numbers: numbers.map((n) => n.toLocaleString()),
  dates: dates.map((d) => new Date(d).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })),
  times: times.map((t) => new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' })),
}), { numbers: [], dates: [], times: [], ...values });

/** What the popup must show for these backend rows. */
async function expectedRows(page, rows) {
  const { times } = await formats(page, { times: rows.map((r) => r.occurred_at) });
  return rows.map((r, i) => ({
    id: r.id,
    status: r.refunded ? 'refunded' : 'recorded',
    what: r.label + (r.regenerate ? ' Regenerate' : ''),
    regen: r.regenerate,
    credits: String(r.credits),
    when: times[i],
    who: r.member,
    job: r.job_id,
    href: r.job_id ? `https://www.upwork.com/jobs/${r.job_id}` : null,
    bucket: r.bucket,
    mark: r.refunded ? 'refunded' : null,
  }));
}

test('after clicks on Upwork, the popup shows exactly the backend\'s figures', async () => {
  // Bo spent from another browser; Cy ran Auto Bid. Then this browser's own clicks.
  await use(team.tokens.Bo, ['cover_letter', 'answer', 'answer']);
  await use(team.tokens.Cy, ['job_matching', 'auto_bid']);
  const page = await browser.context.newPage();
  await page.goto(upworkUrl(PROPOSAL));
  await waitForContentScript(page);
  await waitForChips(page, 4);
  await page.getByRole('button', { name: 'Generate Cover Letter' }).first().click();
  await waitForChips(page, (list) => list.some((c) => c.control.expect === 'cover_letter:regenerate'));
  await page.locator('.upwex-cover-letter button[aria-label="Regenerate"]').click();
  await page.getByRole('button', { name: 'Answer with AI' }).click();
  await page.getByRole('button', { name: 'Generate Answer' }).click();
  await waitForRows(backend, team.token, 9);
  await syncNow(browser);
  await page.close();

  const popup = await openPopup(browser);
  const [balance, usage, members, me] = await Promise.all(
    ['/v1/balance', '/v1/usage', '/v1/members', '/v1/me'].map((path) => api(backend, team.token, path)));
  const view = await popupView(popup);
  assert.equal(view.state, 'ok');
  assert.equal(view.tone, 'green');
  const { numbers, dates } = await formats(popup, {
    numbers: [balance.remaining, balance.used, balance.total, balance.extra], dates: [balance.resets_at],
  });
  assert.deepEqual([view.remaining, view.used, view.total, view.extra], numbers);
  assert.deepEqual([balance.remaining, balance.used, balance.total, balance.extra], [491, 9, 500, 100]);
  assert.equal(view.resets, `Resets ${dates[0]}`);
  assert.equal(view.team, `${me.name} · ${me.team_name}`);
  // Every row, newest first, as the backend has it: label, regenerate marker, job link,
  // bucket, -1, member, time in the browser's locale and zone.
  assert.equal(usage.rows.length, 9);
  assert.deepEqual(view.rows, await expectedRows(popup, usage.rows));
  assert.ok(view.rows.some((r) => r.regen && r.what === 'Cover Letter Regenerate'));
  assert.ok(view.rows.some((r) => r.href === 'https://www.upwork.com/jobs/~021998744339961847531'));
  // Members, largest first: Owner 4, Bo 3, Cy 2.
  assert.deepEqual(view.members, members.map((m) => ({ name: m.name, used: String(m.used), you: m.member_id === me.member_id })));
  assert.deepEqual(view.members.map((m) => m.name), ['Owner', 'Bo', 'Cy']);
  // Each figure is named by its heading; the job links open Upwork in a new tab.
  for (const [name, value] of [['Credits Remaining', numbers[0]], ['Credits Used', numbers[1]], ['Total Credits', numbers[2]], ['Extra Credits', numbers[3]]]) {
    assert.equal(await popup.getByRole('status', { name, exact: true }).textContent(), value);
  }
  const link = popup.locator('a.job').first();
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.equal(await link.getAttribute('rel'), 'noopener');
  await popup.close();
});

test('filters by action and member, and "Show more" pages through the backend\'s history', async () => {
  // More than a page: 60 answers and 6 auto bids by Bo, in batches as a client sends them.
  await use(team.tokens.Bo, [...Array(60).fill('answer'), ...Array(6).fill('auto_bid')]);
  await syncNow(browser);
  const popup = await openPopup(browser);
  const page1 = await api(backend, team.token, '/v1/usage?limit=50');
  let view = await popupView(popup);
  assert.deepEqual(view.rows.map((r) => r.id), page1.rows.map((r) => r.id));
  assert.equal(view.more, page1.next_before);
  // Show more: the next page is added below.
  await popup.getByRole('button', { name: 'Show more' }).click();
  const page2 = await api(backend, team.token, `/v1/usage?limit=50&before=${page1.next_before}`);
  view = await waitForPopupView(popup, (v) => v.rows.length === page1.rows.length + page2.rows.length);
  assert.deepEqual(view.rows.map((r) => r.id), [...page1.rows, ...page2.rows].map((r) => r.id));
  assert.equal(view.more, null, 'the last page');
  // By action: the backend's Auto Bid rows only.
  await popup.getByLabel('Filter by action').selectOption({ label: 'Auto Bid' });
  const bids = await api(backend, team.token, '/v1/usage?limit=50&action=auto_bid');
  view = await waitForPopupView(popup, (v) => v.rows.every((r) => r.what === 'Auto Bid'));
  assert.deepEqual(view.rows, await expectedRows(popup, bids.rows));
  assert.equal(bids.rows.length, 7);
  // And by member: Cy's Auto Bid only.
  const cy = (await api(backend, team.tokens.Cy, '/v1/me')).member_id;
  await popup.getByLabel('Filter by member').selectOption({ label: 'Cy' });
  const cyBids = await api(backend, team.token, `/v1/usage?limit=50&action=auto_bid&member=${cy}`);
  view = await waitForPopupView(popup, (v) => v.rows.length === cyBids.rows.length && v.rows.every((r) => r.who === 'Cy'));
  assert.deepEqual(view.rows.map((r) => r.id), cyBids.rows.map((r) => r.id));
  // Back to all actions: Cy's rows (Job Matching and Auto Bid).
  await popup.getByLabel('Filter by action').selectOption({ label: 'All actions' });
  const cyAll = await api(backend, team.token, `/v1/usage?limit=50&member=${cy}`);
  view = await waitForPopupView(popup, (v) => v.rows.length === cyAll.rows.length);
  assert.deepEqual(view.rows.map((r) => r.id), cyAll.rows.map((r) => r.id));
  await popup.close();
});

test('Top Up: an owner adds a pack to Extra Credits; a member is told who can', async () => {
  const before = await api(backend, team.token, '/v1/balance');
  const popup = await openPopup(browser);
  // Keyboard: the Top Up summary opens the pack chooser.
  await popup.getByText('Top Up', { exact: true }).focus();
  await popup.keyboard.press('Enter');
  await popup.getByRole('radio', { name: '500 credits' }).check();
  await popup.getByRole('button', { name: 'Confirm top-up' }).click();
  const view = await waitForPopupView(popup, (v) => v.status !== '');
  assert.equal(view.status, '500 credits added to Extra Credits.');
  const after = await api(backend, team.token, '/v1/balance');
  assert.equal(after.extra, before.extra + 500, 'the backend recorded one pack');
  const [extra] = (await formats(popup, { numbers: [after.extra] })).numbers;
  assert.equal(view.extra, extra, 'the card moved at once');
  await popup.close();

  // Bo is a member: no Top Up, and a sentence saying who can.
  await configureExtension(browser, { url: backend.url, token: team.tokens.Bo });
  const member = await openPopup(browser);
  assert.equal(await member.getByText('Top Up', { exact: true }).count(), 0);
  assert.equal(await member.getByRole('button', { name: 'Confirm top-up' }).count(), 0);
  await member.getByText('Only the team owner can top up.').waitFor();
  assert.equal((await popupView(member)).extra, extra);
  await member.close();
  await configureExtension(browser, { url: backend.url, token: team.token });
});

test('insights: the forecast sentence, the fitting advice and one bar per day of the cycle', async () => {
  // A Lite team four days into its cycle, regenerating a lot.
  const anchor = new Date(Date.now() - 4 * 86_400_000 - 3_600_000).toISOString();
  const heavy = await createTeam(backend, { name: 'Rerollers', plan: 'lite', seats: 1, anchor });
  await use(heavy.token, Array(24).fill('cover_letter'), { regenerate: (i) => i % 3 !== 0, job: (i) => `~0${1000 + Math.floor(i / 3)}` });
  await configureExtension(browser, { url: backend.url, token: heavy.token });
  const popup = await openPopup(browser);
  const insights = await api(backend, heavy.token, '/v1/insights');
  assert.ok(insights.advice.includes('fewer_regenerations'), JSON.stringify(insights.advice));
  // One bar per day, and the chart is named by a summary.
  const chart = popup.getByRole('img', { name: /^Daily use this cycle: 24 credits over \d+ days/ });
  await chart.waitFor();
  assert.equal(await chart.locator('rect.bar').count(), insights.daily.length);
  assert.ok(insights.daily.length >= 5);
  // The forecast, as the backend computed it, in words.
  const f = insights.forecast;
  assert.ok(f.runs_out_at && f.days_before_reset > 1, JSON.stringify(f));
  const { dates } = await formats(popup, { dates: [f.runs_out_at] });
  const perDay = Math.round(f.per_day);
  const pace = await message('pace', [perDay === 1 ? await message('creditsOne') : await message('creditsMany', [String(perDay)])]);
  const sentence = await message('forecastRunOut', [pace, dates[0], String(f.days_before_reset)]);
  assert.equal(await popup.locator('.forecast').textContent(), sentence);
  // The advice the backend chose, as seed 001's sentences.
  const keys = {
    raise_match_threshold: 'adviceRaiseMatchThreshold', filter_before_opening: 'adviceFilterBeforeOpening',
    fewer_regenerations: 'adviceFewerRegenerations', coordinate_members: 'adviceCoordinateMembers', consider_upgrade: 'adviceConsiderUpgrade',
  };
  const shown = await popup.locator('.advice li').evaluateAll((lis) => lis.map((li) => [li.dataset.id, li.textContent]));
  assert.deepEqual(shown, await Promise.all(insights.advice.map(async (a) => [a, await message(keys[a])])));
  // The plan advisor, for the owner: one sentence with the figures behind it.
  const plan = insights.plan_advice;
  assert.equal(plan.basis, 'this_cycle_pace', 'no completed cycle yet');
  const said = await popup.locator('.plan-advice').textContent();
  assert.ok(said.includes(`the team uses about ${plan.per_cycle.toLocaleString('en-US')} credits a cycle from this cycle's pace`), said);
  const lead = { stay: 'Your plan fits: ', top_up: 'Top up ', add_seats: 'Add ', upgrade: 'Move up to ', downgrade: 'Move down to ' };
  assert.ok(said.startsWith(lead[plan.recommendation]), `${plan.recommendation}: ${said}`);
  // Regenerations' share and the breakdown by action.
  assert.equal(await popup.locator('.regen-share').textContent(), `Regenerations: 16 credits, ${Math.round(insights.regenerations.share * 100)}% of this cycle's use`);
  assert.equal(await popup.locator('.share').textContent(), 'Cover Letter24 credits · 100%');
  await popup.close();
  await configureExtension(browser, { url: backend.url, token: team.token });
});

test('at 360 px: no sideways scroll with long names and job ids; Team Members before the job links; an early forecast hedged', async () => {
  // A team started just now: a long member name, 30 actions on long job ids, most of them rerolls.
  const long = 'Maximiliana-Konstantinopolskaya-Wolfeschlegelsteinhausen';
  const wide = await createTeam(backend, { name: 'Wolfeschlegelsteinhausenbergerdorff-Associates', plan: 'lite', seats: 1, members: [long] });
  await use(wide.tokens[long], Array(30).fill('cover_letter'), { regenerate: (i) => i % 3 !== 0, job: (i) => `~0${'abcdef0123456789'.repeat(3).slice(0, 34)}${1000 + i}` });
  await configureExtension(browser, { url: backend.url, token: wide.token });
  const popup = await openPopup(browser, { width: 360 });
  assert.equal((await popupView(popup)).rows.length, 30);
  await popup.locator('.member', { hasText: long }).waitFor();
  const width = await popup.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.deepEqual(width, [360, 360], 'no horizontal scroll at 360 px');
  // Team Members (and Insights) come before the history's job links, in the Tab and reading order.
  const order = await popup.evaluate(() => {
    const first = document.querySelector('a.job');
    const before = (id) => Boolean(document.getElementById(id).compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
    return { links: document.querySelectorAll('a.job').length, members: before('h-members'), insights: before('h-insights') };
  });
  assert.deepEqual(order, { links: 30, members: true, insights: true });
  // Less than a day of use: no run-out date stated as fact.
  const insights = await api(backend, wide.token, '/v1/insights');
  assert.ok(insights.forecast.runs_out_at, 'the backend has a date; the popup does not state it');
  assert.equal(await popup.locator('.forecast').textContent(), await message('forecastTooEarly'));
  // The advice, under its heading.
  assert.ok(insights.advice.length > 0, JSON.stringify(insights.advice));
  assert.equal(await popup.getByRole('heading', { name: 'How to spend fewer credits' }).isVisible(), true);
  assert.equal(await popup.locator('.advice li').count(), insights.advice.length);
  await screenshot(popup, 'popup-360');
  await popup.close();
  await configureExtension(browser, { url: backend.url, token: team.token });
});

test('screenshots of the popup in light and dark', async () => {
  const popup = await openPopup(browser, { height: 600 });
  for (const colorScheme of ['light', 'dark']) {
    await popup.emulateMedia({ colorScheme });
    const background = await popup.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.equal(background, colorScheme === 'dark' ? 'rgb(22, 24, 27)' : 'rgb(255, 255, 255)');
    await screenshot(popup, `popup-${colorScheme}`);
  }
  // Keyboard: every control is reached with Tab, in the page's order, with a visible ring.
  await popup.emulateMedia({ colorScheme: 'light' });
  await popup.locator('body').focus();
  const reached = [];
  for (let i = 0; i < 100; i++) {
    await popup.keyboard.press('Tab');
    const el = await popup.evaluate(() => {
      const el = document.activeElement;
      if (el === document.body || !el) return null;
      return { name: el.getAttribute('aria-label') ?? el.textContent.trim().slice(0, 24), outline: getComputedStyle(el).outlineStyle };
    });
    if (!el || (reached.length && el.name === reached[0].name)) break;
    reached.push(el);
  }
  assert.deepEqual(reached.slice(0, 3).map((r) => r.name), ['Top Up', 'Filter by action', 'Filter by member']);
  assert.deepEqual(reached.slice(-3).map((r) => r.name), ['Show more', 'Options', 'Open the full page'], 'rows\' job links, Show more, then the footer');
  assert.ok(reached.every((r) => r.outline === 'solid'), JSON.stringify(reached));
  await popup.close();
  assert.deepEqual(browser.errors, []);
});
