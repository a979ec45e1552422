// Options page: DOM glue. The checks are Rust (check_settings, src/options.rs); the
// settings belong to the service worker (page:settings-save). textContent only.
import init, { check_settings } from './pkg/credits_extension.js';

const $ = (id) => document.getElementById(id);
const ask = async (message) => {
  const reply = await chrome.runtime.sendMessage(message);
  if (reply?.error) throw new Error(reply.error);
  return reply;
};
const say = (id, text, error = false) => {
  $(id).textContent = text;
  $(id).className = error ? 'error' : 'muted';
};

function fill({ backend, low_threshold, confirm_regenerate, show_badge }) {
  $('backend-url').value = backend?.url ?? '';
  $('api-token').value = backend?.token ?? '';
  $('low-threshold').value = low_threshold ?? '';
  $('confirm-regenerate').checked = confirm_regenerate;
  $('show-badge').checked = show_badge;
}

async function showConnection() {
  say('connection', 'Checking the connection…');
  try {
    const { me, error } = await ask({ type: 'page:check-connection' });
    if (me) say('connection', `Connected as ${me.name} (${me.team_name})`);
    else say('connection', `Not connected: ${error}`, true);
  } catch (e) {
    say('connection', `Not connected: ${e.message}`, true);
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
    $('confirm-regenerate').checked, $('show-badge').checked);
  if (checked.error) return say('status', checked.error, true);
  // A backend off loopback needs its origin granted; the browser asks only from a click.
  if (checked.origin && !(await chrome.permissions.request({ origins: [checked.origin] }))) {
    return say('status', `The browser did not allow access to ${checked.origin}: nothing was saved`, true);
  }
  say('status', 'Saving…');
  try {
    await ask({ type: 'page:settings-save', settings: checked.settings });
    say('status', 'Saved');
  } catch (e) {
    return say('status', e.message, true);
  }
  showConnection();
});

try {
  fill((await ask({ type: 'page:state' })).settings);
} catch (e) {
  say('status', `Could not read the settings: ${e.message}`, true);
}
showConnection();
