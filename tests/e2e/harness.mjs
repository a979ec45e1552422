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
    const status = new Map(); // versionId -> runningStatus, for extension workers
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      for (const v of versions) {
        if (v.scriptURL.startsWith('chrome-extension://')) status.set(v.versionId, v.runningStatus);
      }
    });
    await cdp.send('ServiceWorker.enable'); // stopAllWorkers needs the domain enabled
    await cdp.send('ServiceWorker.stopAllWorkers');
    const deadline = Date.now() + 5_000;
    while (status.size === 0 || [...status.values()].some((s) => s !== 'stopped')) {
      if (Date.now() > deadline) throw new Error(`service worker did not stop: ${[...status.values()]}`);
      await new Promise((r) => setTimeout(r, 20));
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
 * Waits until the content script has run on `page`. Placeholder signal: the skeleton's
 * content script writes the WASM version (from the service worker) to
 * <html data-upwex-credits>. Replace the body when the content script has a real marker.
 */
export async function waitForContentScript(page, { timeout = 10_000 } = {}) {
  const handle = await page.waitForFunction(() => document.documentElement.dataset.upwexCredits, null, {
    timeout,
  });
  return handle.jsonValue();
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
