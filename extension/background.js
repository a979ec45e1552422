// Service worker: a thin loader for the Rust (WASM) logic in src/worker/.
// Rules measured in NOTES.md: no top-level await (registration fails) and no import() in a
// service worker. So: import statically, keep the init promise, register every listener
// synchronously at top level (a worker woken by an event must find its listener), await
// the promise inside, and `return true` to answer asynchronously.
import './messages.js';
import init, { worker_start, worker_message, worker_alarm } from './pkg/credits_extension.js';

// Once per worker life: compile the WASM, then load the state from chrome.storage.
const ready = init().then(() => worker_start());

// Only messages to the worker (not our own worker:* broadcasts): the names in messages.js.
const TO_WORKER = new Set(Object.values(MESSAGE).filter((t) => t !== MESSAGE.refresh));
const ours = (type) => TO_WORKER.has(type);

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (!ours(message?.type)) return false; // e.g. our own worker:* broadcasts
  ready
    .then(() => worker_message(message, sender))
    .then(sendResponse, (error) => sendResponse({ error: String(error?.message ?? error) }));
  return true; // sendResponse is called asynchronously
});

chrome.alarms.onAlarm.addListener((alarm) => {
  ready.then(() => worker_alarm(alarm.name)).catch((error) => console.warn('alarm', alarm.name, error));
});

// A notification (worker/notify.rs) opens the credits page.
chrome.notifications.onClicked.addListener((id) => {
  chrome.notifications.clear(id);
  chrome.tabs.create({ url: chrome.runtime.getURL('extension/credits.html') });
});

// Waking the worker is enough on install and browser start: worker_start() syncs.
chrome.runtime.onInstalled.addListener(() => {});
chrome.runtime.onStartup.addListener(() => {});
