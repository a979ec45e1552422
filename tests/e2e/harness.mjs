// End-to-end harness: the real extension in the system's headless Chromium, Upwork URLs
// answered from fixtures under a strict CSP, and the real backend binary.
// `cargo xtask test` sets UPWEX_EXTENSION_DIR, UPWEX_BACKEND_BIN and UPWEX_ARTIFACTS.
import { chromium } from 'playwright-core';
import { spawn, execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repo = fileURLToPath(new URL('../../', import.meta.url));

export const paths = {
  extensionDir: resolve(process.env.UPWEX_EXTENSION_DIR ?? repo),
  backendBin: resolve(process.env.UPWEX_BACKEND_BIN ?? join(repo, 'target/debug/credits-backend')),
  artifacts: resolve(process.env.UPWEX_ARTIFACTS ?? join(repo, 'tests/artifacts')),
  fixtures: fileURLToPath(new URL('../fixtures/', import.meta.url)),
};

// Profiles and databases live in one scratch dir per test process, removed when it exits.
let scratch;
function tempDir(prefix) {
  if (!scratch) {
    scratch = mkdtempSync(join(tmpdir(), 'upwex-e2e-'));
    process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
  }
  return mkdtemp(join(scratch, prefix));
}

/** The page CSP every routed Upwork response carries: no inline scripts, no eval, no WASM. */
export const UPWORK_CSP = "script-src 'self'";

/** Upwork URL path -> fixture file (see fixtures/README.md). */
export const upworkPages = {
  '/nx/find-work/': 'feed.html',
  '/nx/find-work/most-recent': 'feed.html',
  '/nx/find-work/most-recent/details/~021999055296412911573': 'feed.html',
  '/nx/proposals/job/~021998744339961847531/apply/': 'proposal.html',
  '/jobs/Some-title_~0133110211e88e3a06/': 'job.html',
};

export const upworkUrl = (path) => new URL(path, 'https://www.upwork.com').href;

/** The extension crate's version, which the WASM module reports. */
export async function extensionVersion(extensionDir = paths.extensionDir) {
  const toml = await readFile(join(extensionDir, 'extension/Cargo.toml'), 'utf8');
  return toml.match(/^version\s*=\s*"([^"]+)"/m)[1];
}

/**
 * Starts Chromium with the unpacked extension. Pass the `userDataDir` of an earlier
 * browser to relaunch the same profile (or use `browser.restart()`).
 * Returns { context, extensionId, serviceWorker, userDataDir, errors, extensionUrl(path),
 *           openExtensionPage(path), close({ keepProfile }), restart() }.
 */
export async function launchBrowser({ extensionDir = paths.extensionDir, userDataDir } = {}) {
  userDataDir ??= await tempDir('profile-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.UPWEX_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
  });
  // Uncaught errors and console.error from pages and workers, for tests to assert on.
  const errors = [];
  context.on('weberror', (e) => errors.push(String(e.error())));
  context.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  const serviceWorker = await waitForServiceWorker(context);
  const extensionId = new URL(serviceWorker.url()).host;
  const extensionUrl = (path) => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`;
  const browser = {
    context,
    extensionId,
    serviceWorker,
    userDataDir,
    errors,
    extensionUrl,
    /** Opens e.g. 'extension/popup.html' in a new tab. */
    async openExtensionPage(path) {
      const page = await context.newPage();
      await page.goto(extensionUrl(path));
      return page;
    },
    async close({ keepProfile = false } = {}) {
      await context.close();
      if (!keepProfile) await rm(userDataDir, { recursive: true, force: true });
    },
    /** Closes the browser and starts it again on the same profile (extension storage kept). */
    async restart() {
      await browser.close({ keepProfile: true });
      return launchBrowser({ extensionDir, userDataDir });
    },
  };
  return browser;
}

/** The extension's current service worker, waiting for it to (re)start if needed. */
export async function waitForServiceWorker(context) {
  const isOurs = (w) => w.url().startsWith('chrome-extension://');
  return context.serviceWorkers().find(isOurs) ??
    context.waitForEvent('serviceworker', { predicate: isOurs, timeout: 15_000 });
}

/**
 * Stops the extension's service worker the way Chromium does after 30 s idle (its memory
 * is lost) and waits until it has stopped; the next message or event starts it fresh.
 * `browser.serviceWorker` stays usable: Playwright attaches it to the new instance.
 * Needs a page of the context (a temporary one is opened when none is given).
 */
export async function stopServiceWorker(context, page) {
  const temporary = page ? null : await context.newPage();
  const cdp = await context.newCDPSession(page ?? temporary);
  try {
    // versionId -> whether it has been seen stopped since the stop. Not its status now: a
    // worker that content scripts keep messaging starts again within milliseconds.
    const stopped = new Map();
    let asked = false;
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      for (const v of versions) {
        if (!v.scriptURL.startsWith('chrome-extension://')) continue;
        const seen = stopped.get(v.versionId) ?? false;
        stopped.set(v.versionId, seen || (asked && v.runningStatus === 'stopped'));
      }
    });
    await cdp.send('ServiceWorker.enable'); // stopAllWorkers needs the domain enabled
    asked = true;
    await cdp.send('ServiceWorker.stopAllWorkers');
    const deadline = Date.now() + 5_000;
    while (stopped.size === 0 || [...stopped.values()].some((s) => !s)) {
      if (Date.now() > deadline) throw new Error('service worker did not stop');
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await cdp.detach();
    await temporary?.close();
  }
}

/**
 * Answers https://www.upwork.com/** from fixtures, always with the strict CSP header.
 * `pages` maps a URL path (query ignored, trailing slash optional) to a fixture file name
 * or to { body, contentType?, status? }; /fixtures/<file> serves tests/fixtures/<file>
 * (page scripts must be external: the CSP blocks inline ones); anything else is a 404.
 */
export async function routeUpwork(context, pages = upworkPages) {
  const trim = (p) => p.replace(/\/+$/, '');
  const table = new Map(Object.entries(pages).map(([path, v]) => [trim(path), v]));
  await context.route('https://www.upwork.com/**', async (route) => {
    const { pathname } = new URL(route.request().url());
    let entry = table.get(trim(pathname));
    if (!entry && pathname.startsWith('/fixtures/') && !pathname.includes('..')) {
      entry = pathname.slice('/fixtures/'.length);
    }
    const answer = (status, body, contentType) =>
      route.fulfill({ status, body, contentType, headers: { 'Content-Security-Policy': UPWORK_CSP } });
    if (entry === undefined) return answer(404, 'Not found', 'text/plain');
    if (typeof entry === 'object') {
      return answer(entry.status ?? 200, entry.body, entry.contentType ?? 'text/html; charset=utf-8');
    }
    try {
      return await answer(200, await readFile(join(paths.fixtures, entry)), contentTypeOf(entry));
    } catch (e) {
      if (e.code === 'ENOENT') return answer(404, 'Not found', 'text/plain');
      throw e;
    }
  });
}

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
const contentTypeOf = (file) => CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';

/**
 * Waits until the content script has run on `page` and drawn its badge (the element
 * <upwex-credits-badge>, present even when hidden); resolves to the badge's text.
 */
export async function waitForContentScript(page, { timeout = 10_000 } = {}) {
  const count = page.locator('upwex-credits-badge .count');
  await count.waitFor({ state: 'attached', timeout });
  await page.waitForFunction(() => document.querySelector('upwex-credits-badge')?.shadowRoot
    ?.querySelector('.count')?.textContent, null, { timeout });
  return count.textContent();
}

/** Saves a full-page PNG as $UPWEX_ARTIFACTS/<name>.png and returns its path. */
export async function screenshot(page, name) {
  await mkdir(paths.artifacts, { recursive: true });
  const path = join(paths.artifacts, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer().once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

const execFileAsync = promisify(execFile);

/**
 * Runs one backend CLI command (SPEC.md section 3) on a database and returns its trimmed
 * standard output, e.g. cli({ dbPath }, ['team', 'create', '--name', 'T', '--plan', 'pro', '--seats', '2']).
 */
export async function cli({ bin = paths.backendBin, dbPath }, args) {
  try {
    const { stdout } = await execFileAsync(bin, ['--database', databaseUrl(dbPath), ...args]);
    return stdout.trim();
  } catch (e) {
    throw new Error(`credits-backend ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

const databaseUrl = (dbPath) => `sqlite://${dbPath}`;

/**
 * Starts `credits-backend serve` on 127.0.0.1 with an SQLite file (a fresh temp one unless
 * `dbPath` is given) and waits for GET /healthz. Its output goes to
 * $UPWEX_ARTIFACTS/backend-<port>.log. Returns { url, port, dbPath, process, cli(args),
 * stop() (SIGTERM, waits), kill9() (SIGKILL, waits), restart() (same port and file) }.
 */
export async function startBackend({ bin = paths.backendBin, dbPath, port } = {}) {
  dbPath ??= join(await tempDir('db-'), 'credits.db');
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  await mkdir(paths.artifacts, { recursive: true });
  const log = createWriteStream(join(paths.artifacts, `backend-${port}.log`), { flags: 'a' });

  const backend = {
    url,
    port,
    dbPath,
    process: null,
    cli: (args) => cli({ bin, dbPath }, args),
    async start() {
      const child = spawn(bin, ['--database', databaseUrl(dbPath), 'serve', '--listen', `127.0.0.1:${port}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
      child.exited = exited;
      backend.process = child;
      try {
        await waitForHealth(url, exited);
      } catch (e) {
        child.kill('SIGKILL');
        throw e;
      }
      return backend;
    },
    async stop(signal = 'SIGTERM') {
      const child = backend.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await child.exited;
    },
    kill9: () => backend.stop('SIGKILL'),
    async restart() {
      await backend.stop();
      return backend.start();
    },
  };
  return backend.start();
}

async function waitForHealth(url, exited, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let gone = null;
  exited.then((how) => (gone = how));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`credits-backend exited before it was healthy: ${JSON.stringify(gone)}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`credits-backend at ${url} was not healthy within ${timeout} ms`);
}

// ---- the extension's own surfaces ---------------------------------------------------------

/** The inline badge of an Upwork page: { text, tone, detail, problem, visible }. */
export async function badge(page) {
  return page.evaluate(() => {
    const host = document.querySelector('upwex-credits-badge');
    const root = host?.shadowRoot;
    if (!root) return null;
    const box = root.querySelector('.badge');
    return {
      text: root.querySelector('.count').textContent,
      tone: box.dataset.tone,
      detail: root.querySelector('.detail').textContent,
      problem: root.querySelector('.problem').textContent,
      label: box.getAttribute('aria-label'),
      visible: getComputedStyle(host).display !== 'none',
    };
  });
}

/** `at` (RFC 3339) as the badge writes a day ("Dec 2"): in the page's locale and time zone. */
export const shortDay = (page, at) => page.evaluate((t) => new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' }).format(new Date(t)), at);

/** Waits until the page's badge shows `text` (a string or a predicate on the badge). */
export async function waitForBadge(page, want, { timeout = 15_000 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await badge(page);
    if (last && (typeof want === 'function' ? want(last) : last.text === String(want))) return last;
    if (Date.now() > deadline) throw new Error(`badge never matched ${want}: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Every cost chip on the page (through open shadow roots), with the control it labels:
 * [{ chip, warning, control: { expect, text, label } }]. `expect` is the fixture's oracle.
 */
export async function chips(page) {
  return page.evaluate(() => {
    const out = [];
    const visit = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.localName === 'upwex-credits-chip') {
          const control = el.previousElementSibling;
          out.push({
            chip: el.shadowRoot.querySelector('.chip').textContent,
            warning: el.shadowRoot.querySelector('.warning').textContent,
            control: {
              expect: control?.getAttribute('data-expect') ?? null,
              text: control?.textContent.trim() ?? null,
              label: control?.getAttribute('aria-label') ?? control?.getAttribute('title') ?? null,
            },
          });
        } else if (el.shadowRoot && !el.localName.startsWith('upwex-credits-')) {
          visit(el.shadowRoot);
        }
      }
    };
    visit(document);
    return out;
  });
}

/** Waits until `count` chips are drawn (or a predicate on the chip list holds). */
export async function waitForChips(page, want, { timeout = 15_000 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await chips(page);
    if (typeof want === 'function' ? want(last) : last.length === want) return last;
    if (Date.now() > deadline) throw new Error(`chips never matched: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The service worker's state for its pages (`page:state`), asked from an extension page. */
export async function workerState(browser, type = 'page:state') {
  const page = await extensionPage(browser);
  return page.evaluate((t) => chrome.runtime.sendMessage({ type: t }), type);
}

// One extension page per browser to ask the worker from (opened once, kept).
const askPages = new WeakMap();
async function extensionPage(browser) {
  let page = askPages.get(browser);
  if (!page || page.isClosed()) {
    page = await browser.openExtensionPage('extension/popup.html');
    askPages.set(browser, page);
  }
  return page;
}

/** Asks the worker to sync now and waits for it (`page:sync-now`); the new state. */
export const syncNow = (browser) => workerState(browser, 'page:sync-now');

/**
 * Sets the extension up through its real options page: fills "Backend URL" and "API token"
 * (and the other options given), clicks "Save", waits for "Saved" and the connection line.
 */
export async function configureExtension(browser, { url, token, lowThreshold, confirmRegenerate, showBadge } = {}) {
  const page = await browser.openExtensionPage('extension/options.html');
  await page.getByLabel('Backend URL').fill(url ?? '');
  await page.getByLabel('API token').fill(token ?? '');
  if (lowThreshold !== undefined) await page.getByLabel(/Low-balance threshold/).fill(String(lowThreshold ?? ''));
  if (confirmRegenerate !== undefined) await page.getByLabel(/Ask before Regenerate/).setChecked(confirmRegenerate);
  if (showBadge !== undefined) await page.getByLabel(/Show the balance badge/).setChecked(showBadge);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#status', { hasText: 'Saved' }).waitFor({ timeout: 10_000 });
  const connection = await page.locator('#connection').filter({ hasNotText: 'Checking' }).textContent();
  await page.close();
  return connection;
}

// ---- the backend's side ---------------------------------------------------------------------

/**
 * Creates a team with an owner (and more members if `members` names them) through the CLI.
 * Returns { teamId, token, tokens: { name: token } }.
 */
export async function createTeam(backend, { name = 'Team', plan = 'pro', seats = 1, anchor, members = [] } = {}) {
  const teamId = await backend.cli(['team', 'create', '--name', name, '--plan', plan, '--seats', String(seats),
    ...(anchor ? ['--anchor', anchor] : [])]);
  const token = await backend.cli(['member', 'add', '--team', teamId, '--name', 'Owner', '--role', 'owner']);
  const tokens = { Owner: token };
  for (const m of members) tokens[m] = await backend.cli(['member', 'add', '--team', teamId, '--name', m]);
  return { teamId, token, tokens };
}

/** One API call to the backend as `token`; the parsed JSON (throws on a non-2xx). */
export async function api(backend, token, path, { method = 'GET', body } = {}) {
  const response = await fetch(`${backend.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Every usage row of the token's team (newest first). */
export async function usageRows(backend, token, query = '') {
  return (await api(backend, token, `/v1/usage?limit=200${query}`)).rows;
}

/** Waits until the backend holds `count` usage rows for the team. */
export async function waitForRows(backend, token, count, { timeout = 20_000, query = '' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const rows = await usageRows(backend, token, query);
    if (rows.length === count) return rows;
    if (rows.length > count || Date.now() > deadline) {
      throw new Error(`expected ${count} usage rows, the backend has ${rows.length}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A loopback HTTP proxy in front of `target` (a backend URL) that the test can stall:
 * `hold(predicate)` keeps matching requests (`{ method, url }`) until `release()`; with
 * `{ forwardFirst: true }` the request reaches the backend at once and only the ANSWER is
 * held (the backend applied it, the client never hears). `seen` lists every request.
 */
export async function startProxy(target) {
  const { createServer } = await import('node:http');
  const held = [];
  const seen = [];
  let rule = null;
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    const forward = () => fetch(`${target}${req.url}`, {
      method: req.method,
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))),
      body: body.length ? body : undefined,
    }).then(async (r) => ({ status: r.status, headers: Object.fromEntries(r.headers), body: Buffer.from(await r.arrayBuffer()) }),
      () => null);
    const reply = (answer) => {
      if (!answer) return res.destroy();
      delete answer.headers['content-encoding'];
      delete answer.headers['content-length'];
      delete answer.headers['transfer-encoding'];
      res.writeHead(answer.status, answer.headers).end(answer.body);
    };
    if (rule && rule.match({ method: req.method, url: req.url })) {
      const answered = rule.forwardFirst ? forward() : null;
      held.push({ go: async () => reply(await (answered ?? forward())), drop: () => res.destroy(), answered });
      rule.onHeld?.();
      return;
    }
    reply(await forward());
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    seen,
    held,
    /** Holds matching requests from now on; resolves when the first one is held. */
    hold(match, { forwardFirst = false } = {}) {
      return new Promise((onHeld) => {
        rule = { match, forwardFirst, onHeld: () => { rule.onHeld = null; onHeld(); } };
      });
    },
    /** Stops holding; `drop` closes the held connections instead of answering them. */
    async release({ drop = false } = {}) {
      rule = null;
      const all = held.splice(0);
      for (const h of all) {
        if (drop) {
          await h.answered; // a forwardFirst request has reached the backend
          h.drop();
        } else {
          await h.go();
        }
      }
    },
    close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(done); }),
  };
}

// ---- the popup (extension/popup.html) ---------------------------------------------------------

/**
 * Opens the popup page in a tab the popup's size (`hash` e.g. '#top-up') and waits until it
 * has drawn the backend's fresh figures (`<main aria-busy>` goes when the worker answered
 * `page:credits` with everything fetched).
 */
export async function openPopup(browser, { hash = '', width = 380, height = 760 } = {}) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  await page.goto(browser.extensionUrl(`extension/popup.html${hash}`));
  await waitForPopup(page);
  return page;
}

/** Waits until the popup has drawn its fresh figures (see `openPopup`). */
export async function waitForPopup(page, { timeout = 15_000 } = {}) {
  await page.locator('#popup:not([aria-busy])').waitFor({ state: 'attached', timeout });
}

/**
 * What the popup shows: `{ state, tone, team, resets, remaining, used, total, extra, notice,
 * status, rows: [{ id, status, what, regen, credits, when, who, job, href, bucket, mark }],
 * members: [{ name, used, you }], more }` (texts as drawn).
 */
export async function popupView(page) {
  return page.evaluate(() => {
    const root = document.getElementById('popup');
    const text = (sel, el = root) => el.querySelector(sel)?.textContent ?? null;
    const slot = (name) => text(`[data-slot="${name}"]`);
    return {
      state: root.dataset.state,
      tone: root.dataset.tone,
      team: slot('team'),
      resets: slot('resets'),
      remaining: slot('remaining'),
      used: slot('used'),
      total: slot('total'),
      extra: slot('extra'),
      notice: slot('notice'),
      status: slot('status'),
      more: root.querySelector('[data-slot="more"] button')?.dataset.value ?? null,
      rows: [...root.querySelectorAll('[data-slot="history"] li.row')].map((li) => ({
        id: li.dataset.id ?? null,
        status: li.dataset.status,
        what: text('.what', li),
        regen: li.querySelector('.regen') !== null,
        credits: text('.credits', li),
        when: text('.when', li),
        who: text('.who', li),
        job: text('.job', li),
        href: li.querySelector('a.job')?.getAttribute('href') ?? null,
        bucket: li.querySelector('.bucket')?.dataset.bucket ?? null,
        mark: text('.status', li),
      })),
      members: [...root.querySelectorAll('[data-slot="members"] li.member')].map((li) => ({
        name: text('.name', li).replace(/ you$/, ''),
        used: text('.used', li),
        you: li.querySelector('.you') !== null,
      })),
    };
  });
}

/** Waits until `popupView(page)` satisfies `predicate`; returns that view. */
export async function waitForPopupView(page, predicate, { timeout = 15_000 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await popupView(page);
    if (predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`the popup never matched: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `_locales/en/messages.json`'s message `key` with `$1`... filled, as chrome.i18n does. */
export async function message(key, subs = [], extensionDir = paths.extensionDir) {
  messages ??= JSON.parse(await readFile(join(extensionDir, '_locales/en/messages.json'), 'utf8'));
  const entry = messages[key];
  if (!entry) throw new Error(`no message ${key}`);
  let text = entry.message;
  for (const [name, p] of Object.entries(entry.placeholders ?? {})) {
    text = text.replaceAll(new RegExp(`\\$${name}\\$`, 'gi'), p.content);
  }
  return text.replace(/\$(\d)/g, (_, n) => subs[n - 1] ?? '');
}
let messages;

/**
 * Unpacks a zip (as `cargo xtask package` writes it: stored or deflated entries) into `dir`;
 * returns the entry names. node:zlib only, no unzip tool needed.
 */
export async function unzip(zipPath, dir) {
  const { inflateRawSync } = await import('node:zlib');
  const { writeFile } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const zip = await readFile(zipPath);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${zipPath} is not a zip`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16); // the central directory
  const names = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory');
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extra + comment;
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataAt, dataAt + size);
    const bytes = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : null;
    if (!bytes) throw new Error(`${name}: compression method ${method}`);
    if (name.includes('..') || name.startsWith('/')) throw new Error(`unsafe entry ${name}`);
    names.push(name);
    if (name.endsWith('/')) continue;
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), bytes);
  }
  return names;
}

/** A fresh temporary directory in the test process's scratch space. */
export const scratchDir = (prefix = 'tmp-') => tempDir(prefix);
