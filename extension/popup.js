// Popup: loads the Rust (WASM) module in the page itself, proving WASM runs in extension pages.
import init, { version } from './pkg/credits_extension.js';

await init();
document.getElementById('version').textContent = version();
