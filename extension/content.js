// Content script on Upwork pages: a DOM adapter only (WASM cannot compile under a strict
// page CSP). Placeholder: proves it runs and reaches the service worker.
chrome.runtime.sendMessage({ type: 'ping' }).then((reply) => {
  document.documentElement.dataset.upwexCredits = reply?.version ?? 'error';
});
