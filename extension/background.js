// Service worker: a thin loader for the Rust (WASM) logic.
import init, { version } from './pkg/credits_extension.js';

// Top-level await would fail registration: keep the promise, await it in listeners,
// and register every listener synchronously at top level so wake-ups reach them.
const ready = init();

chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if (message?.type !== 'ping') return false;
  ready.then(
    () => sendResponse({ version: version() }),
    (error) => sendResponse({ error: String(error) }),
  );
  return true; // sendResponse is called asynchronously
});
