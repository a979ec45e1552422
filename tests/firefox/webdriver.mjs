// A small W3C WebDriver client over fetch() for geckodriver: only the commands the Firefox
// suite uses. The protocol is a standard; no driver manager, nothing downloaded.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** Starts geckodriver on `port`; its log goes to `logPath`. Returns { url, stop() }. */
export async function startGeckodriver({ bin, port, bidiPort, logPath }) {
  const child = spawn(bin, ['--port', String(port), '--websocket-port', String(bidiPort), '--host', '127.0.0.1', '--log', 'info', '--allow-system-access'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logPath, { flags: 'a' });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise((done) => child.once('exit', done));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 10_000; ; ) {
    try {
      if ((await fetch(`${url}/status`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`geckodriver did not start (see ${logPath})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

async function call(url, method, path, body) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (!response.ok) {
    const { error, message } = json.value ?? {};
    throw new Error(`WebDriver ${method} ${path}: ${error}: ${message}`);
  }
  return json.value;
}

/** A WebDriver session: `await Session.create(driverUrl, capabilities)`. */
export class Session {
  static async create(driverUrl, alwaysMatch) {
    const { sessionId, capabilities } = await call(driverUrl, 'POST', '/session', { capabilities: { alwaysMatch } });
    return new Session(driverUrl, sessionId, capabilities);
  }

  constructor(driverUrl, id, capabilities) {
    this.driverUrl = driverUrl;
    this.id = id;
    this.capabilities = capabilities;
  }

  cmd(method, path, body) {
    return call(this.driverUrl, method, `/session/${this.id}${path}`, body);
  }

  /** Ends the session; geckodriver closes Firefox. */
  quit() {
    return this.cmd('DELETE', '');
  }

  navigate(url) {
    return this.cmd('POST', '/url', { url });
  }

  /** Runs `fn` (its source) in the current page with `args`; resolves to its (awaited) result. */
  execute(fn, ...args) {
    return this.cmd('POST', '/execute/sync', { script: `return (${fn}).apply(null, arguments)`, args });
  }

  /** 'chrome' (the browser's own JS, needs -remote-allow-system-access) or 'content'. */
  setContext(context) {
    return this.cmd('POST', '/moz/context', { context });
  }

  /** Installs an add-on (a .zip/.xpi, or a directory when temporary); resolves to its id. */
  installAddon(path, { temporary = false } = {}) {
    return this.cmd('POST', '/moz/addon/install', { path, temporary });
  }

  /** The current tab's whole page as PNG bytes (geckodriver's full-page screenshot). */
  async screenshot() {
    return Buffer.from(await this.cmd('GET', '/moz/screenshot/full'), 'base64');
  }

  async newTab() {
    const { handle } = await this.cmd('POST', '/window/new', { type: 'tab' });
    await this.cmd('POST', '/window', { handle });
    return handle;
  }

  switchTo(handle) {
    return this.cmd('POST', '/window', { handle });
  }

  closeTab() {
    return this.cmd('DELETE', '/window');
  }

  /** A WebDriver element reference for an element a script returned, or found by CSS. */
  async find(css) {
    return (await this.cmd('POST', '/element', { using: 'css selector', value: css }))[ELEMENT];
  }

  /** A real (trusted) click on `element`: an id from find(), or an element a script returned. */
  click(element) {
    const id = typeof element === 'string' ? element : element[ELEMENT];
    return this.cmd('POST', `/element/${id}/click`, {});
  }

  async type(element, text) {
    const id = typeof element === 'string' ? element : element[ELEMENT];
    await this.cmd('POST', `/element/${id}/clear`, {});
    return this.cmd('POST', `/element/${id}/value`, { text });
  }
}
