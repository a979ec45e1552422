// Options page: DOM glue. The checks are Rust (check_settings, src/options.rs); the
// settings belong to the service worker (page:settings-save). Words from _locales
// (words.js); textContent only.
import './messages.js';
import init, { check_settings } from './pkg/credits_extension.js';
import { say, translate } from './words.js';

const $ = (id) => document.getElementById(id);
const words = (key, ...subs) => chrome.i18n.getMessage(key, subs);
const ask = async (message) => {
  const reply = await chrome.runtime.sendMessage(message);
  if (reply?.error) throw new Error(reply.error);
  return reply;
};
// A line, and the technical detail behind a failure folded under it (where the page has one).
const show = (id, text, error = false, detail = '') => {
  $(id).textContent = text;
  $(id).className = error ? 'error' : 'muted';
  const more = $(`${id}-more`);
  if (!more) return;
  more.hidden = !detail;
  more.querySelector('code').textContent = detail;
};

translate(document);

function fill({ backend, low_threshold, confirm_regenerate, show_badge, notify }) {
  $('backend-url').value = backend?.url ?? '';
  $('api-token').value = backend?.token ?? '';
  $('low-threshold').value = low_threshold ?? '';
  $('confirm-regenerate').checked = confirm_regenerate;
  $('show-badge').checked = show_badge;
  $('notify').checked = notify;
}

// The worker's answer to "who is this token?": {me}, {problem, detail} or neither.
function connection({ me, problem, detail }) {
  if (me) show('connection', words('optionsConnected', me.name, me.team_name));
  else if (problem) show('connection', words('optionsNotConnected', say(problem)), true, detail);
  else show('connection', words('optionsNotSetUp'));
}

async function showConnection() {
  show('connection', words('optionsChecking'));
  try {
    connection(await ask({ type: MESSAGE.checkConnection }));
  } catch (e) {
    show('connection', words('optionsNotConnected', e.message), true);
  }
}

// Firefox grants permissions.request only in the synchronous part of the click's handler:
// no await before it once the module is loaded.
let loaded = false;
const ready = init().then(() => { loaded = true; });

$('settings').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!loaded) await ready;
  const checked = check_settings($('backend-url').value, $('api-token').value, $('low-threshold').value,
    $('confirm-regenerate').checked, $('show-badge').checked, $('notify').checked);
  if (checked.refused) return show('status', say(checked.refused), true);
  if (checked.error) return show('status', checked.error, true);
  // A backend off loopback needs its origin granted; the browser asks only from a click.
  if (checked.origin && !(await chrome.permissions.request({ origins: [checked.origin] }))) {
    return show('status', words('optionsPermissionRefused', checked.origin), true);
  }
  // The worker asks the backend first: a new token it refuses is not saved (src/options.rs,
  // after_check), and "Saved" says what the check found.
  show('status', words('optionsSaving'));
  try {
    const reply = await ask({ type: MESSAGE.settingsSave, settings: checked.settings });
    if (reply.refused) return show('status', say(reply.refused), true);
    show('status', say(reply.saved), Boolean(reply.connection.problem));
    connection(reply.connection);
    syncStatus(reply);
  } catch (e) {
    show('status', e.message, true);
  }
});

// The token: shown or hidden on request.
$('token-toggle').addEventListener('click', () => {
  const shown = $('api-token').type === 'text';
  $('api-token').type = shown ? 'password' : 'text';
  $('token-toggle').setAttribute('aria-pressed', String(!shown));
  $('token-toggle').textContent = words(shown ? 'optionsTokenShow' : 'optionsTokenHide');
});

// Sync: what waits to be sent, the last failure, and "Sync now".
function syncStatus({ pending, last_error, last_problem }) {
  const line = pending === 1 ? words('optionsPendingOne') : pending > 1 ? words('optionsPendingSome', String(pending)) : words('optionsPendingNone');
  if (!last_error) return show('sync-status', line);
  show('sync-status', `${line} ${words('optionsLastError', say(last_problem))}`, true, last_error.message);
}
$('sync-now').addEventListener('click', async () => {
  $('sync-now').disabled = true;
  try {
    syncStatus(await ask({ type: MESSAGE.syncNow }));
  } catch (e) {
    show('sync-status', e.message, true);
  }
  $('sync-now').disabled = false;
});

try {
  const state = await ask({ type: MESSAGE.state });
  fill(state.settings);
  syncStatus(state);
} catch (e) {
  show('status', words('optionsReadFailed', e.message), true);
}
showConnection();
