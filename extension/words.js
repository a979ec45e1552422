// Words for the extension's pages, all from _locales (chrome.i18n), in the browser's
// locale and time zone. `say` renders the worker's Msg ({key, subs}: src/popup/text.rs);
// `translate` fills data-i18n (text) and data-i18n-label (aria-label) under a node.
const DAY = { month: 'short', day: 'numeric' };
const TIME = { ...DAY, hour: 'numeric', minute: '2-digit' };

export const number = (n) => n.toLocaleString();
export const time = (t) => new Date(t).toLocaleString(undefined, TIME);

/** One typed substitution as words: {text} | {number} | {date} | {time} | {day} | {msg}. */
function sub(s) {
  if ('text' in s) return s.text;
  if ('number' in s) return number(s.number);
  if ('date' in s) return new Date(s.date).toLocaleDateString(undefined, DAY);
  if ('time' in s) return time(s.time);
  if ('day' in s) return new Date(`${s.day}T12:00:00Z`).toLocaleDateString(undefined, { ...DAY, timeZone: 'UTC' });
  return say(s.msg);
}

/** A message's words ("" for none). */
export function say(m) {
  return m ? chrome.i18n.getMessage(m.key, (m.subs ?? []).map(sub)) : '';
}

export function translate(node) {
  const all = (selector) => [...(node.matches?.(selector) ? [node] : []), ...node.querySelectorAll(selector)];
  for (const el of all('[data-i18n]')) el.textContent = chrome.i18n.getMessage(el.dataset.i18n);
  for (const el of all('[data-i18n-label]')) el.setAttribute('aria-label', chrome.i18n.getMessage(el.dataset.i18nLabel));
}
