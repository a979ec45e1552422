// The message types, once for every JS side (Rust's are the serde renames in
// src/messages.rs). A plain script that sets a global, so the content script (listed before
// content.js in manifest.json: content scripts cannot import modules) and the module pages
// and worker (`import './messages.js'`) share this one file.
globalThis.MESSAGE = Object.freeze({
  // content script -> worker
  hello: 'content:hello',
  describe: 'content:describe',
  click: 'content:click',
  topUp: 'content:top-up',
  // extension pages -> worker
  state: 'page:state',
  settingsSave: 'page:settings-save',
  checkConnection: 'page:check-connection',
  syncNow: 'page:sync-now',
  rejectionsSeen: 'page:rejections-seen',
  version: 'page:version',
  credits: 'page:credits',
  usage: 'page:usage',
  pageTopUp: 'page:top-up',
  setBudget: 'page:set-budget',
  // worker -> every tab and page
  refresh: 'worker:refresh',
});
