// Firefox end-to-end harness: Firefox ESR driven through geckodriver (W3C WebDriver), the
// packaged extension installed as a user would (unsigned: ESR honours
// xpinstall.signatures.required=false), real Upwork URLs answered by a local HTTPS server
// with a throwaway certificate and the strict CSP, and the real backend (../e2e/harness.mjs).
// Firefox reaches www.upwork.com only through upwork.mjs's loopback proxy, which refuses
// every other host. Env: UPWEX_FIREFOX, UPWEX_GECKODRIVER, UPWEX_PACKAGE.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort, paths, scratchDir } from '../e2e/harness.mjs';
import { Session, startGeckodriver } from './webdriver.mjs';

export * from '../e2e/harness.mjs';
export { startUpwork } from './upwork.mjs';

const manifest = JSON.parse(readFileSync(join(paths.extensionDir, 'manifest.json'), 'utf8'));
export const ADDON_ID = manifest.browser_specific_settings.gecko.id;
export const firefoxPaths = {
  firefox: process.env.UPWEX_FIREFOX ?? '/usr/bin/firefox-esr',
  geckodriver: process.env.UPWEX_GECKODRIVER ?? join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin/geckodriver'),
  package: process.env.UPWEX_PACKAGE ?? join(paths.extensionDir, 'dist', `upwex-credits-${manifest.version}.zip`),
};

/**
 * Starts Firefox ESR headless on a fresh profile and installs the package (`temporary`: as
 * about:debugging's "Load Temporary Add-on" does; else permanently), or, with
 * `profile` and `uuid` of an earlier browser, starts that profile again: the add-on and its
 * storage are kept). Waits until the background answers `page:version`.
 * Returns a browser: { session, profile, uuid, url(path), ask(type), errors(), open(url),
 * quit(), restart() }.
 */
export async function launchFirefox({ upwork, profile, uuid = randomUUID(), temporary = false } = {}) {
  for (const [what, path] of Object.entries(firefoxPaths)) {
    if (!existsSync(path)) throw new Error(`${what} ${path} is missing: \`cargo xtask setup\` installs Firefox ESR and geckodriver, \`cargo xtask package\` writes the package`);
  }
  const fresh = !profile;
  profile ??= await scratchDir('firefox-');
  await mkdir(paths.artifacts, { recursive: true });
  const driver = await startGeckodriver({
    bin: firefoxPaths.geckodriver, port: await freePort(), bidiPort: await freePort(), logPath: join(paths.artifacts, 'geckodriver.log'),
  });
  const session = await Session.create(driver.url, {
    browserName: 'firefox',
    acceptInsecureCerts: true, // the throwaway certificate of startUpwork
    'moz:firefoxOptions': {
      binary: firefoxPaths.firefox,
      args: ['-headless', '-profile', profile],
      prefs: {
        'xpinstall.signatures.required': false,
        'extensions.webextensions.uuids': JSON.stringify({ [ADDON_ID]: uuid }),
        'network.proxy.type': 1,
        'network.proxy.ssl': '127.0.0.1',
        'network.proxy.ssl_port': upwork.proxyPort,
        'network.proxy.http': '127.0.0.1',
        'network.proxy.http_port': upwork.proxyPort,
        // The user's "Allow" on the prompt for an optional origin (permissions.request still
        // refuses a call outside a user-input handler).
        'extensions.webextOptionalPermissionPrompts': false,
        'devtools.console.stdout.content': true, // console output of every page in geckodriver.log
      },
    },
  }).catch(async (e) => { await driver.stop(); throw e; });
  if (fresh) await session.installAddon(firefoxPaths.package, { temporary });
  const base = `moz-extension://${uuid}/`;
  const browser = {
    session,
    profile,
    uuid,
    url: (path) => base + path.replace(/^\//, ''),
    /** Opens `url` in a new tab (now the current one); returns the tab's handle. */
    async open(url) {
      const handle = await session.newTab();
      await session.navigate(url);
      return handle;
    },
    /** Sends `{type}` to the background from an extension page kept for it; the reply. */
    async ask(type, fields = {}) {
      const current = await session.cmd('GET', '/window');
      browser.askTab ??= await browser.open(browser.url('extension/options.html'));
      await session.switchTo(browser.askTab);
      try {
        return await session.execute((message) => chrome.runtime.sendMessage(message), { type, ...fields });
      } finally {
        await session.switchTo(current);
      }
    },
    /** Errors in the extension's console (script errors and console.error of its pages, background and content scripts). */
    errors: () => consoleErrors(session, uuid),
    /**
     * Terminates the background the way Firefox does after 30 s idle (about:debugging's
     * "Terminate background script"); the next event or message starts it again, fresh.
     */
    stopBackground: () => inChrome(session, async (id) => {
      const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
      const extension = ExtensionParent.GlobalManager.getExtension(id);
      await extension.terminateBackground();
      return extension.backgroundState;
    }, ADDON_ID),
    /** Firefox's warnings and errors on reading the manifest (about:debugging shows them). */
    manifestProblems: () => inChrome(session, (id) => {
      const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
      const extension = ExtensionParent.GlobalManager.getExtension(id);
      return [...extension.warnings, ...extension.errors];
    }, ADDON_ID),
    async quit() {
      await session.quit().catch(() => {});
      await driver.stop();
    },
    async restart() {
      await browser.quit();
      return launchFirefox({ upwork, profile, uuid });
    },
  };
  await waitFor(() => browser.ask('page:version').catch(() => null), (r) => r?.version, 'the background never answered');
  return browser;
}

/** Runs `fn` with `args` in Firefox's own (privileged) JS; back to the page after. */
async function inChrome(session, fn, ...args) {
  const current = await session.cmd('GET', '/window');
  await session.setContext('chrome');
  try {
    return await session.execute(fn, ...args);
  } finally {
    await session.setContext('content');
    await session.switchTo(current);
  }
}

/**
 * What about:debugging's console for the add-on would show as errors, but one: Firefox itself
 * reports "Promise rejected after context unloaded" when a tab closes while its content script
 * awaits an answer (the script is gone; nothing can catch it; extension/README.md).
 */
function consoleErrors(session, uuid) {
  return inChrome(session, (base, id) => {
    const ours = (where) => String(where ?? '').startsWith(base);
    const scriptErrors = Services.console.getMessageArray()
      .filter((m) => m instanceof Ci.nsIScriptError && !(m.flags & Ci.nsIScriptError.warningFlag))
      .filter((m) => ours(m.sourceName) || m.message.includes(id) || m.message.includes(base))
      .filter((m) => !m.errorMessage.startsWith('Promise rejected after context unloaded'))
      .map((m) => `${m.sourceName}:${m.lineNumber} ${m.errorMessage}`);
    const logged = Cc['@mozilla.org/consoleAPI-storage;1'].getService(Ci.nsIConsoleAPIStorage).getEvents()
      .filter((e) => e.level === 'error' && (e.addonId === id || ours(e.filename)))
      .map((e) => `${e.filename}:${e.lineNumber} console.error ${e.arguments.map(String).join(' ')}`);
    return [...scriptErrors, ...logged];
  }, `moz-extension://${uuid}/`, ADDON_ID);
}

/** Polls `probe` until `ok(value)`; resolves to that value. */
export async function waitFor(probe, ok, what, { timeout = 15_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (let last; ; ) {
    last = await probe();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- what the current tab shows (scripts run in the page, like the Chromium harness) ------

/** The page's balance badge { text, problem } or null, and every chip with its control. */
export function pageView(session) {
  return session.execute(() => {
    const root = document.querySelector('upwex-credits-badge')?.shadowRoot;
    const chips = [];
    const visit = (node) => {
      for (const el of node.querySelectorAll('*')) {
        if (el.localName === 'upwex-credits-chip') {
          chips.push({ chip: el.shadowRoot.querySelector('.chip').textContent, warning: el.shadowRoot.querySelector('.warning').textContent,
            expect: el.previousElementSibling?.getAttribute('data-expect') ?? null });
        } else if (el.shadowRoot && !el.localName.startsWith('upwex-credits-')) {
          visit(el.shadowRoot);
        }
      }
    };
    visit(document);
    const badge = root?.querySelector('.count')?.textContent
      ? { text: root.querySelector('.count').textContent, problem: root.querySelector('.problem').textContent } : null;
    return { badge, chips };
  });
}

/** Waits until `pageView` satisfies `ok`. */
export const waitForPage = (session, ok, what = 'the page never matched', options) =>
  waitFor(() => pageView(session), ok, what, options);

/** Controls the fixture marks `none` (decoys, disabled, busy, Upwork's own) that have a chip. */
export const chippedDecoys = (session) => session.execute(() => [...document.querySelectorAll('[data-expect="none"]')]
  .filter((el) => el.nextElementSibling?.localName === 'upwex-credits-chip').map((el) => el.outerHTML));

/** Saves the current tab as $UPWEX_ARTIFACTS/<name>.png. */
export async function screenshotFirefox(session, name) {
  await writeFile(join(paths.artifacts, `${name}.png`), await session.screenshot());
}

/** A real click (WebDriver element click, trusted) on the element `css` finds, looking into `host`'s shadow root if given. */
export async function click(session, css, host) {
  const element = await session.execute((sel, h) => (h ? document.querySelector(h).shadowRoot : document).querySelector(sel), css, host ?? null);
  if (!element) throw new Error(`nothing matches ${css}`);
  await session.click(element);
}

/** A real click on the first element matching `css` whose text contains `text`. */
export async function clickText(session, css, text) {
  const element = await session.execute((sel, t) => [...document.querySelectorAll(sel)].find((el) => el.textContent.includes(t)), css, text);
  if (!element) throw new Error(`no ${css} says ${text}`);
  await session.click(element);
}

/**
 * Sets the extension up through its real options page (Backend URL, API token, Save) and
 * resolves to the connection line once it is no longer "Checking…".
 */
export async function configureFirefox(browser, { url, token }) {
  const { session } = browser;
  await browser.open(browser.url('extension/options.html'));
  await waitFor(() => session.execute(() => document.getElementById('status').textContent === '' &&
    !document.getElementById('connection').textContent.startsWith('Checking')), Boolean, 'the options page never settled');
  await session.type(await session.find('#backend-url'), url);
  await session.type(await session.find('#api-token'), token);
  await session.click(await session.find('button[type="submit"]'));
  const read = () => session.execute(() => [document.getElementById('status').textContent, document.getElementById('connection').textContent]);
  // "Saved", or "Saved, but …" when the backend did not answer (src/options.rs, after_check).
  const [, connection] = await waitFor(read, ([status, c]) => status.startsWith('Saved') && c && !c.startsWith('Checking'), 'the options page never saved');
  await session.closeTab();
  await session.switchTo((await session.cmd('GET', '/window/handles'))[0]);
  return connection;
}
