// Containers marked only by a data-* attribute (UPWORK.md: `data-upwex-widget="answer"`),
// with no class or id marker and a data name nothing else on the page carries: one parsed in
// the middle of a big feed, one whose marker is in the attribute's value, in any case, and
// one a script appends after load; and in shadow trees: a data-marked container whose widget
// renders in an open shadow root attached to it after load (UPWORK.md), and a container
// marked only by a data-* value inside a custom element's shadow root. Each is labelled, and
// a click counts once; a data attribute without the marker is no container.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  chips, configureExtension, createTeam, launchBrowser, routeUpwork, startBackend, syncNow, upworkPages, upworkUrl,
  waitForChips, waitForContentScript, waitForRows,
} from './harness.mjs';
import { bigFeed } from '../fixtures/bigfeed.mjs';

const FEED = '/nx/find-work/best-matches';
let browser;
let backend;
let team;

before(async () => {
  backend = await startBackend();
  team = await createTeam(backend, { plan: 'pro', seats: 1 });
  browser = await launchBrowser();
  const parsed = '<div data-upwex-widget="answer"><button type="button" data-expect="answer">Generate Answer</button></div>'
    + '<div data-component="UpWex-Cover-Letter"><button type="button" data-expect="cover_letter">Generate Cover Letter</button></div>'
    + '<div data-widget="answer"><button type="button" data-expect="none">Generate Answer</button></div>'
    + '<div data-upwex-slot="cover-letter"></div>';
  const page = bigFeed({ elements: 3000, widgets: 0 })
    .replace('<h1 class="h3">', `${parsed}<h1 class="h3">`)
    .replace('</body>', '<script src="/fixtures/append-data-widget.js"></script></body>');
  const append = `window.addEventListener('load', () => setTimeout(() => {
    document.querySelector('main').insertAdjacentHTML('beforeend',
      '<section data-upwex-panel="job-assistant"><button type="button" data-expect="job_assistant">Run Job Assistant</button></section>');
    document.querySelector('[data-upwex-slot]').attachShadow({ mode: 'open' }).innerHTML =
      '<button type="button" data-expect="cover_letter">Write Cover Letter</button>';
    const card = document.createElement('job-card');
    card.attachShadow({ mode: 'open' }).innerHTML =
      '<p>Screening question</p><div data-widget="Upwex answer"><button type="button" data-expect="answer">Answer with AI</button></div>';
    document.querySelector('main').append(card);
  }, 200));`;
  await routeUpwork(browser.context, {
    ...upworkPages,
    [FEED]: { body: page },
    '/fixtures/append-data-widget.js': { body: append, contentType: 'text/javascript' },
  });
  await configureExtension(browser, { url: backend.url, token: team.token });
  await syncNow(browser);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

test('containers marked by a data-* attribute alone are found, parsed or appended', async () => {
  const page = await browser.context.newPage();
  await page.goto(upworkUrl(FEED));
  await waitForContentScript(page);
  const labelled = await waitForChips(page, 5);
  assert.deepEqual(labelled.map((c) => c.control.expect).sort(), ['answer', 'answer', 'cover_letter', 'cover_letter', 'job_assistant']);
  await page.waitForTimeout(300);
  assert.equal((await chips(page)).length, 5, 'the data-widget without the marker has no chip');
  await page.locator('[data-upwex-widget] button').click();
  const rows = await waitForRows(backend, team.token, 1);
  assert.equal(rows[0].action, 'answer');
  await page.close();
  assert.deepEqual(browser.errors, []);
});
