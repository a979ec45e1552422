// While a page is parsed the content script searches only what the parser appended; a widget
// a page script inserts elsewhere meanwhile (here: at the top, by a script at the end of the
// body) is found at DOMContentLoaded, when the document holds other elements than it counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  chips, configureExtension, createTeam, launchBrowser, routeUpwork, startBackend, syncNow, upworkPages, upworkUrl,
  waitForChips, waitForContentScript,
} from './harness.mjs';
import { bigFeed } from '../fixtures/bigfeed.mjs';

const FEED = '/nx/find-work/best-matches';
let browser;
let backend;

before(async () => {
  backend = await startBackend();
  const team = await createTeam(backend, { plan: 'pro', seats: 1 });
  browser = await launchBrowser();
  const page = bigFeed({ elements: 3000, widgets: 2 }).replace('</body>', '<script src="/fixtures/insert-top.js"></script></body>');
  const insert = `document.querySelector('header').insertAdjacentHTML('afterbegin',
    '<div class="upwex-widget upwex-answer"><button type="button" data-expect="answer">Answer with AI</button></div>');`;
  await routeUpwork(browser.context, {
    ...upworkPages,
    [FEED]: { body: page },
    '/fixtures/insert-top.js': { body: insert, contentType: 'text/javascript' },
  });
  await configureExtension(browser, { url: backend.url, token: team.token });
  await syncNow(browser);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

test('a widget inserted above what the parser appends is labelled, beside the parsed ones', async () => {
  const page = await browser.context.newPage();
  await page.goto(upworkUrl(FEED));
  await waitForContentScript(page);
  const labelled = await waitForChips(page, 3);
  assert.deepEqual(labelled.map((c) => c.control.expect), ['answer', 'job_assistant', 'job_assistant']);
  await page.waitForTimeout(300);
  assert.equal((await chips(page)).length, 3);
});
