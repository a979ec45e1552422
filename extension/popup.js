// Placeholder popup: shows what the service worker's `page:state` says (textContent only).
// The credits page in small replaces it; the message API is in src/messages.rs.
const $ = (id) => document.getElementById(id);
const ask = async (type) => {
  const reply = await chrome.runtime.sendMessage({ type });
  if (reply?.error) throw new Error(reply.error);
  return reply;
};

function show(state) {
  const { badge, problem } = state.view;
  $('spendable').textContent = badge.text;
  $('spendable').dataset.tone = badge.tone;
  $('detail').textContent = badge.detail;
  $('problem').textContent = problem ?? '';
  $('version').textContent = state.version;
  $('pending').textContent = String(state.pending);
  const list = $('rejected');
  list.replaceChildren(...state.rejected.slice(-5).reverse().map((r) => {
    const li = document.createElement('li');
    li.textContent = `${r.event.action}${r.event.regenerate ? ' (regenerate)' : ''} at ${new Date(r.event.occurred_at).toLocaleString()}: ${r.reason}`;
    return li;
  }));
  $('seen').hidden = badge.rejected_unseen === 0;
}

const refresh = () => ask('page:state').then(show, (e) => ($('problem').textContent = e.message));
$('sync').addEventListener('click', () => ask('page:sync-now').then(show, (e) => ($('problem').textContent = e.message)));
$('seen').addEventListener('click', () => ask('page:rejections-seen').then(show));
chrome.runtime.onMessage.addListener((message) => {
  if (message?.type === 'worker:refresh') refresh();
});
refresh();
