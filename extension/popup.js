// Popup: generic DOM glue for the credits page in small. Every decision is Rust's, made in
// the service worker (src/popup/, src/worker/credits.rs); this page loads no WASM. It
//  - sends page:* messages and draws the views they answer with: tokens turned into DOM
//    with createElement/createElementNS, setAttribute and text nodes, never innerHTML
//    (the token format is in src/popup/node.rs);
//  - turns clicks on [data-action] buttons and changes of [data-action] selects into
//    page:<action> messages, with every [data-field] value (filters, chosen pack) and the
//    button's data-value;
//  - redraws after the worker's worker:refresh (a sync, a click elsewhere, a top-up).
const SVG = 'http://www.w3.org/2000/svg';
const root = document.getElementById('popup');

// Static words from _locales: data-i18n fills the text, data-i18n-label the aria-label.
for (const el of document.querySelectorAll('[data-i18n]')) {
  el.textContent = chrome.i18n.getMessage(el.dataset.i18n) || el.textContent;
}
for (const el of document.querySelectorAll('[data-i18n-label]')) {
  el.setAttribute('aria-label', chrome.i18n.getMessage(el.dataset.i18nLabel) || el.getAttribute('aria-label'));
}

// The attributes a view may set: src/popup/node.rs ALLOWED, aria-* and data-*. Links go
// only to Upwork job pages and to the options page.
const ALLOWED = new Set(['class', 'id', 'role', 'href', 'target', 'rel', 'type', 'name', 'value', 'checked',
  'selected', 'title', 'datetime', 'viewBox', 'preserveAspectRatio', 'x', 'y', 'width', 'height', 'focusable']);
const allowed = (name, value) =>
  (name.startsWith('aria-') || name.startsWith('data-') || ALLOWED.has(name)) &&
  (name !== 'href' || value === 'options.html' || value.startsWith('https://www.upwork.com/jobs/'));

/** The view's tokens as a DocumentFragment per slot: [name, fragment, append]. */
function build(tokens) {
  const slots = [];
  let stack = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const rest = token.slice(1);
    const open = stack[stack.length - 1];
    switch (token[0]) {
      case '=': // a slot's new content starts
      case '+': { // nodes to add to a slot start
        const fragment = document.createDocumentFragment();
        slots.push([rest, fragment, token[0] === '+']);
        stack = [fragment];
        break;
      }
      case '<': { // an element, inside the open one
        const svg = rest === 'svg' || open.namespaceURI === SVG;
        const el = svg ? document.createElementNS(SVG, rest) : document.createElement(rest);
        open.append(el);
        stack.push(el);
        break;
      }
      case '@': { // an attribute; its value is the next token
        const value = tokens[++i];
        if (allowed(rest, value)) open.setAttribute(rest, value);
        break;
      }
      case '#': // a text node
        open.append(document.createTextNode(rest));
        break;
      case '>':
        stack.pop();
        break;
    }
  }
  return slots;
}

// What the user was doing, kept across a redraw: open <details>, the focused control.
const keyOf = (el) => el && (el.dataset.action ? `a:${el.dataset.action}:${el.dataset.value ?? ''}`
  : el.dataset.field ? `f:${el.dataset.field}:${el.type === 'radio' ? el.value : ''}`
    : el.parentElement?.dataset.id ? `s:${el.parentElement.dataset.id}` : null);
const findKey = (key) => [...root.querySelectorAll('[data-action], [data-field], summary')].find((el) => keyOf(el) === key);

function draw(reply) {
  const open = new Set([...root.querySelectorAll('details[open]')].map((d) => d.dataset.id));
  const focused = root.contains(document.activeElement) ? keyOf(document.activeElement) : null;
  for (const [name, fragment, append] of build(reply.view)) {
    const slot = root.querySelector(`[data-slot="${name}"]`);
    if (!slot) continue;
    if (append) slot.append(fragment);
    else slot.replaceChildren(fragment);
  }
  for (const d of root.querySelectorAll('details')) d.open ||= open.has(d.dataset.id);
  if (focused) findKey(focused)?.focus();
  root.dataset.state = reply.state;
  root.dataset.tone = reply.tone;
}

function say(text) {
  root.querySelector('[data-slot="status"]').textContent = text;
}

/** Every [data-field] value: the filters and the chosen pack. */
function fields() {
  const out = {};
  for (const el of root.querySelectorAll('[data-field]')) {
    if (el.type !== 'radio' || el.checked) out[el.dataset.field] = el.value;
  }
  return out;
}

async function ask(type, extra = {}) {
  let reply;
  try {
    reply = await chrome.runtime.sendMessage({ type, ...fields(), ...extra });
  } catch (e) {
    return say(String(e?.message ?? e));
  }
  if (reply?.error) return say(reply.error);
  if (reply?.view) draw(reply); // other replies (Dismiss): the worker's refresh follows
}

// Redraws asked by the worker: one at a time, the last one wins.
let drawing = null;
let again = false;
async function refresh() {
  if (drawing) {
    again = true;
    return;
  }
  do {
    again = false;
    drawing = ask('page:credits', { value: 'stale' });
    await drawing;
  } while (again);
  drawing = null;
}

async function act(el, withValue) {
  say('');
  el.disabled = el.tagName === 'BUTTON'; // no double top-up while the first is out
  await ask(`page:${el.dataset.action}`, withValue && el.dataset.value !== undefined ? { value: el.dataset.value } : {});
  el.disabled = false;
}

root.addEventListener('click', (event) => {
  const el = event.target.closest('button[data-action]');
  if (el) act(el, true);
});
root.addEventListener('change', (event) => {
  const el = event.target.closest('select[data-action]');
  if (el) act(el, false);
});
chrome.runtime.onMessage.addListener((message) => {
  if (message?.type === 'worker:refresh') refresh();
});

// Opened by the out-of-credits notice's Top Up (popup.html#top-up): the pack chooser, open.
function openTopUp() {
  const topUp = location.hash === '#top-up' && root.querySelector('details[data-id="top-up"]');
  if (!topUp) return false;
  topUp.open = true;
  topUp.querySelector('summary').focus();
  return true;
}

// First what the worker knows (at once), then everything fresh from the backend; busy
// until then.
await ask('page:credits', { value: 'none' });
const toppingUp = openTopUp();
await ask('page:credits', { value: 'all' });
root.removeAttribute('aria-busy');
if (!toppingUp) openTopUp();
