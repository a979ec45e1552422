// Popup: renders the service worker's view model (src/popup/, a serde type: numbers, codes,
// tones and {key, subs} messages) into popup.html's slots, from its <template>s. It decides
// nothing: what to show is the worker's (Rust), words come from _locales (words.js), and it
// never uses innerHTML. It sends page:* messages with the filters and the chosen pack, and
// redraws after the worker's worker:refresh (a sync, a click elsewhere, a top-up). Parts
// that hold the user's place (the filters, Show more, an open Top Up) are updated in place,
// so a redraw keeps the focus. The full credits page (credits.html) is drawn by this same
// script from the same view model: its <template>s are table rows, and it has the parts
// the popup lacks (job and date filters, Export CSV, Top Up's confirmation dialog).
import './messages.js';
import { number, say, time, translate } from './words.js';

const SVG = 'http://www.w3.org/2000/svg';
const root = document.querySelector('main');
const dialog = document.getElementById('confirm-top-up');
const slot = (name) => document.querySelector(`[data-slot="${name}"]`);
const part = (el, name) => el.querySelector(`[data-part="${name}"]`);
const put = (name, msg) => { const el = slot(name); if (el) el.textContent = say(msg); };
/** A template's first element, its words filled. */
function clone(id) {
  const el = document.getElementById(id).content.firstElementChild.cloneNode(true);
  translate(el);
  return el;
}
/** Sets a part's text, or removes the part when there is nothing to show. */
function text(el, value) {
  if (value === null || value === undefined) el.remove();
  else el.textContent = value;
}
const keep = (el, on) => on || el.remove();

translate(document);

function notices(n, r) {
  const out = [];
  if (n) {
    const el = clone('t-notice');
    el.classList.add(n.tone);
    el.setAttribute('role', n.alert ? 'alert' : 'status');
    part(el, 'text').textContent = say(n.text);
    keep(part(el, 'options'), n.options);
    keep(part(el, 'retry'), n.retry);
    out.push(el);
  }
  if (r) {
    const el = clone('t-rejected');
    part(el, 'text').textContent = say(r.text);
    part(el, 'items').append(...r.items.map((m) => Object.assign(document.createElement('li'), { textContent: say(m) })));
    out.push(el);
  }
  return out;
}

function topUp(t) {
  const holder = slot('top-up');
  const shape = t ? JSON.stringify([t.owner_only, t.disabled, t.packs.map((p) => p.credits)]) : '';
  if (holder.dataset.shape === shape && t) {
    // Same chooser: only the choice moves (an open <details> and the focus stay).
    holder.querySelectorAll('input[name="pack"]').forEach((input, i) => {
      input.checked = t.packs[i].chosen;
      input.dataset.after = say(t.packs[i].after);
    });
    return;
  }
  holder.dataset.shape = shape;
  if (!t) return holder.replaceChildren();
  if (t.owner_only) return holder.replaceChildren(clone('t-owner-only'));
  const el = clone('t-top-up');
  part(el, 'packs').append(...t.packs.map((p) => {
    const label = clone('t-pack');
    Object.assign(part(label, 'input'), { value: String(p.credits), checked: p.chosen });
    part(label, 'input').dataset.after = say(p.after);
    part(label, 'label').textContent = say(p.label);
    return label;
  }));
  el.querySelectorAll('button').forEach((b) => { b.disabled = t.disabled; });
  holder.replaceChildren(el);
}

function filters(f) {
  for (const [name, choices] of [['action', f?.actions ?? []], ['member', f?.members ?? []]]) {
    root.querySelector(`[data-filter="${name}"]`).replaceChildren(...choices.map((c) => {
      const label = 'msg' in c.label ? say(c.label.msg) : c.label.text;
      return Object.assign(document.createElement('option'), { value: c.value, textContent: label, selected: c.selected });
    }));
  }
}

function row(r) {
  const li = clone('t-row');
  li.dataset.status = r.status;
  if (r.id) li.dataset.id = r.id;
  part(li, 'label').textContent = say(r.label);
  keep(part(li, 'regen'), r.regenerate);
  const credits = part(li, 'credits');
  credits.textContent = number(r.credits);
  credits.setAttribute('aria-label', say(r.credits_label));
  const when = part(li, 'when');
  when.dateTime = r.at;
  when.textContent = time(r.at);
  text(part(li, 'who'), r.member);
  const link = part(li, 'job-link');
  if (r.job_href) Object.assign(link, { href: r.job_href, textContent: r.job_id });
  else link.remove();
  text(part(li, 'job-text'), r.job_href ? null : r.job_id);
  const bucket = part(li, 'bucket');
  if (r.bucket) bucket.dataset.bucket = r.bucket;
  text(bucket, r.bucket_label && say(r.bucket_label));
  text(part(li, 'mark'), r.mark && say(r.mark));
  return li;
}

/** A placeholder in a list (li), a table body (a row of one wide cell) or a section (p). */
function empty(holder, msg) {
  const tag = { OL: 'li', UL: 'li', TBODY: 'td' }[holder.tagName] ?? 'p';
  const el = Object.assign(document.createElement(tag), { className: 'empty', textContent: say(msg) });
  if (tag !== 'td') return el;
  el.colSpan = 99;
  const tr = document.createElement('tr');
  tr.append(el);
  return tr;
}

function history(h) {
  const list = slot('history');
  const rows = h ? h.rows.map(row) : [];
  if (h?.empty) rows.push(empty(list, h.empty));
  if (h?.append) list.append(...rows);
  else list.replaceChildren(...rows);
  const more = slot('more').querySelector('button');
  more.hidden = !h?.more;
  if (h?.more) more.dataset.value = h.more;
  else delete more.dataset.value;
}

/** A member's row, built once per shape (who, "you", whether it has the budget editor). */
function memberRow(member) {
  const li = clone('t-member');
  li.dataset.id = member.id;
  keep(part(li, 'you'), member.you);
  const edit = part(li, 'edit');
  if (edit && member.edit) edit.replaceWith(clone('t-budget-edit'));
  else edit?.remove();
  return li;
}

function members(m) {
  const list = slot('members');
  const all = m?.rows ?? [];
  // Same members: the rows are updated in place, so an owner's typing and focus stay.
  const shape = JSON.stringify([all.map((r) => [r.id, r.you, !!r.edit]), m?.empty]);
  if (list.dataset.shape !== shape) {
    list.dataset.shape = shape;
    const rows = all.map(memberRow);
    if (m?.empty) rows.push(empty(list, m.empty));
    list.replaceChildren(...rows);
  }
  all.forEach((member, i) => {
    const li = list.children[i];
    part(li, 'name').textContent = member.name;
    part(li, 'used').textContent = member.budget ? say(member.budget) : number(member.used);
    // The full page's columns (the popup's list has none of these parts).
    for (const [name, msg] of [['limit', member.limit], ['left', member.left], ['last', member.last_active], ['label', member.edit?.label]]) {
      const el = part(li, name);
      if (el) el.textContent = say(msg);
    }
    // The budget's input follows the backend's value only when that value changes.
    const input = part(li, 'input');
    const saved = String(member.edit?.credits ?? '');
    if (input && input.dataset.saved !== saved) input.value = input.dataset.saved = saved;
  });
}

function chart(svg, c) {
  svg.setAttribute('viewBox', `0 0 ${c.width} ${c.height}`);
  svg.setAttribute('aria-label', say(c.label));
  svg.replaceChildren(...c.bars.map((b) => {
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('class', b.zero ? 'bar zero' : 'bar');
    for (const [name, value] of [['x', b.x], ['y', b.y], ['width', b.bar_width], ['height', b.height]]) rect.setAttribute(name, value);
    const title = document.createElementNS(SVG, 'title');
    title.textContent = say(b.title);
    rect.append(title);
    return rect;
  }));
}

function insights(i) {
  const holder = slot('insights');
  if (!i?.section) return holder.replaceChildren(...(i?.empty ? [empty(holder, i.empty)] : []));
  const s = i.section;
  const view = document.getElementById('t-insights').content.cloneNode(true);
  translate(view);
  chart(part(view, 'chart'), s.chart);
  // Its axes: the tallest bar's figure and the dated ticks, placed where the view says.
  part(view, 'chart-top').textContent = say(s.chart.top);
  part(view, 'chart-days').append(...s.chart.days.map((d) => {
    const tick = Object.assign(document.createElement('span'), { className: d.end ? 'tick end' : 'tick', textContent: say(d.label) });
    tick.style.left = `${d.at}%`;
    return tick;
  }));
  // The chart's table alternative (the full page): one row per day.
  part(view, 'chart-table')?.append(...s.chart.bars.map((b) => {
    const tr = document.createElement('tr');
    tr.append(
      Object.assign(document.createElement('td'), { textContent: say(b.day) }),
      Object.assign(document.createElement('td'), { className: 'n', textContent: say(b.credits) }),
    );
    return tr;
  }));
  const share = (id, label, value) => {
    const li = clone('t-share');
    li.dataset.id = id;
    part(li, 'label').textContent = label;
    part(li, 'share').textContent = say(value);
    return li;
  };
  part(view, 'by-action').append(...s.by_action.map((a) => share(a.action, say(a.label), a.share)));
  // The parts only the full page has.
  part(view, 'by-member')?.append(...s.by_member.map((m) => share(m.member_id, m.name, m.share)));
  const only = (name, msg) => { const el = part(view, name); if (el) el.textContent = say(msg); };
  only('ja-unused', s.job_assistant_unused);
  only('matching', s.matching);
  part(view, 'regen').textContent = say(s.regenerations);
  part(view, 'forecast').textContent = say(s.forecast);
  text(part(view, 'plan-advice'), i.plan ? say(i.plan) : null);
  const advice = part(view, 'advice');
  advice.append(...s.advice.map((a) => Object.assign(document.createElement('li'), { textContent: say(a.text) })));
  s.advice.forEach((a, n) => { advice.children[n].dataset.id = a.code; });
  for (const el of [advice, part(view, 'advice-heading')]) if (el) keep(el, s.advice.length > 0);
  holder.replaceChildren(view);
}

function draw(v) {
  root.dataset.state = v.state;
  root.dataset.tone = v.tone;
  slot('notice').replaceChildren(...notices(v.notice, v.rejected));
  put('team', v.team);
  put('resets', v.resets);
  put('plan-line', v.plan_line);
  put('available', v.available);
  put('budget', v.budget);
  for (const card of ['remaining', 'used', 'total', 'extra']) slot(card).textContent = v.cards ? number(v.cards[card]) : '–';
  topUp(v.top_up);
  put('cards-note', v.cards_note);
  for (const [section, msg] of Object.entries(v.ages)) put(`age-${section}`, msg);
  filters(v.filters);
  history(v.history);
  members(v.members);
  insights(v.insights);
  if (v.status) put('status', v.status);
  slot('version').textContent = v.version;
}

/** A date input's day as the instant its local day starts (`next`: the day after). */
function day(value, next) {
  if (!value) return null;
  const d = new Date(`${value}T00:00`);
  if (next) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

/** What every message carries: the filters (those this page has) and the chosen pack. */
function choices() {
  const filter = {};
  for (const el of root.querySelectorAll('[data-filter]')) {
    const name = el.dataset.filter;
    filter[name] = el.type === 'date' ? day(el.value, name === 'to') : (el.value.trim() || null);
  }
  const pack = root.querySelector('input[name="pack"]:checked');
  return { filter, pack: pack ? Number(pack.value) : null };
}

async function ask(type, extra = {}) {
  let reply;
  try {
    reply = await chrome.runtime.sendMessage({ type, ...choices(), ...extra });
  } catch (e) {
    return slot('status').textContent = String(e?.message ?? e);
  }
  if (reply?.error) slot('status').textContent = reply.error;
  else if (reply?.state) draw(reply);
  else if (reply?.history) history(reply.history); // other replies (Dismiss): the worker's refresh follows
}

/** An owner's budget for the member of `el`'s row (as typed; null clears it). Its status
 * goes under the table; the focus goes back to the row's input once redrawn. */
async function setBudget(el, credits) {
  const id = el.closest('[data-id]').dataset.id;
  let reply;
  try {
    reply = await chrome.runtime.sendMessage({ type: MESSAGE.setBudget, ...choices(), member: id, credits });
  } catch (e) {
    reply = { error: String(e?.message ?? e) };
  }
  if (reply?.state) draw({ ...reply, status: null });
  slot('budget-status').textContent = reply?.error ?? say(reply?.status);
  const list = slot('members');
  if (!list.contains(document.activeElement)) list.querySelector(`[data-id="${id}"] input`)?.focus();
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
    drawing = ask(MESSAGE.credits, { fetch: 'stale' });
    await drawing;
  } while (again);
  drawing = null;
}

const ACTIONS = {
  retry: () => ask(MESSAGE.credits, { fetch: 'all' }),
  more: (el) => ask(MESSAGE.usage, { before: el.dataset.value }),
  'top-up': async () => {
    await ask(MESSAGE.pageTopUp);
    dialog?.close();
  },
  dismiss: () => ask(MESSAGE.rejectionsSeen),
  // The full page: Top Up's confirmation step, the CSV export, a member's history.
  review: () => {
    slot('top-up-after').textContent = root.querySelector('input[name="pack"]:checked')?.dataset.after ?? '';
    dialog.showModal();
  },
  cancel: () => dialog.close(),
  // The backend's GET /v1/usage.csv with the filters, saved as a file. The one request a
  // page sends itself (the worker's settings give the backend and token): a file download
  // is the page's, and it keeps the export out of the WASM (README, "WASM size").
  export: async () => {
    const { settings } = await chrome.runtime.sendMessage({ type: MESSAGE.state });
    const backend = settings?.backend;
    if (!backend) return;
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(choices().filter)) if (value) query.set(name === 'job' ? 'job_id' : name, value);
    let body;
    try {
      const answer = await fetch(`${backend.url}/v1/usage.csv?${query}`, { headers: { Authorization: `Bearer ${backend.token}` } });
      if (!answer.ok) throw new Error(String(answer.status));
      body = await answer.blob();
    } catch (e) {
      return slot('status').textContent = chrome.i18n.getMessage('exportFailed', [String(e?.message ?? e)]);
    }
    const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(body), download: 'usage.csv' });
    a.click();
    URL.revokeObjectURL(a.href);
  },
  'clear-budget': (el) => setBudget(el, null),
  member: async (el) => {
    root.querySelector('[data-filter="member"]').value = el.closest('[data-id]').dataset.id;
    await ask(MESSAGE.usage);
    document.getElementById('h-history').focus();
  },
};

document.addEventListener('click', async (event) => {
  const el = event.target.closest('button[data-action]');
  if (!el) return;
  slot('status').textContent = '';
  el.disabled = true; // no double top-up while the first is out
  await ACTIONS[el.dataset.action](el);
  el.disabled = false;
});
root.addEventListener('submit', (event) => {
  event.preventDefault();
  slot('status').textContent = '';
  setBudget(event.target, part(event.target, 'input').value);
});
root.addEventListener('change', (event) => {
  if (event.target.closest('[data-filter]')) ask(MESSAGE.usage);
});
chrome.runtime.onMessage.addListener((message) => {
  if (message?.type === MESSAGE.refresh) refresh();
});

// Opened by the out-of-credits notice's Top Up (#top-up): the pack chooser, open.
function openTopUp() {
  const chooser = location.hash === '#top-up' && root.querySelector('[data-id="top-up"]');
  if (!chooser) return false;
  chooser.open = true;
  chooser.querySelector('summary, input, button').focus();
  return true;
}

// First what the worker knows (at once), then everything fresh from the backend; busy
// until then.
await ask(MESSAGE.credits, { fetch: 'none' });
performance.mark('popup-drawn'); // the first figures on screen (cargo xtask bench extension)
const toppingUp = openTopUp();
await ask(MESSAGE.credits, { fetch: 'all' });
root.removeAttribute('aria-busy');
if (!toppingUp) openTopUp();
