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
const show = (id, text, error = false) => {
  $(id).textContent = text;
  $(id).className = error ? 'error' : 'muted';
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

async function showConnection() {
  show('connection', words('optionsChecking'));
  try {
    const { me, error } = await ask({ type: MESSAGE.checkConnection });
    if (me) show('connection', words('optionsConnected', me.name, me.team_name));
    else if (error) show('connection', words('optionsNotConnected', error), true);
    else show('connection', words('optionsNotSetUp'));
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
  show('status', words('optionsSaving'));
  try {
    await ask({ type: MESSAGE.settingsSave, settings: checked.settings });
    show('status', words('optionsSaved'));
  } catch (e) {
    return show('status', e.message, true);
  }
  showConnection();
});

// The token: shown or hidden on request.
$('token-toggle').addEventListener('click', () => {
  const shown = $('api-token').type === 'text';
  $('api-token').type = shown ? 'password' : 'text';
  $('token-toggle').setAttribute('aria-pressed', String(!shown));
  $('token-toggle').textContent = words(shown ? 'optionsTokenShow' : 'optionsTokenHide');
});

// Sync: what waits to be sent, the last failure, and "Sync now".
function syncStatus({ pending, last_error }) {
  const line = pending === 1 ? words('optionsPendingOne') : pending > 1 ? words('optionsPendingSome', String(pending)) : words('optionsPendingNone');
  show('sync-status', last_error ? `${line} ${words('optionsLastError', last_error.message)}` : line, Boolean(last_error));
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
