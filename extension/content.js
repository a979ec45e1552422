// Content script on Upwork pages: a DOM ADAPTER only. WASM cannot compile here under a
// strict page CSP (NOTES.md), so every decision is the service worker's (Rust). This file:
//  1. finds Upwex containers (class, id or a data-* name/value containing the marker the
//     worker gives) with native queries, which touch only what they return, and the open
//     shadow roots of custom elements and of elements in containers (`scan`);
//  2. describes the controls inside them (`button`, `[role=button]`) as the core's
//     `Candidate` and sends them in batches (`content:describe`);
//  3. draws what the worker answers: a cost chip per control, a warning on Regenerate;
//  4. applies each control's CURRENT directive synchronously in capture-phase click and
//     key listeners (a click, or Enter/Space): blocked -> out-of-credits notice; confirm ->
//     hold, ask, then let it through once; otherwise -> report `content:click` once per
//     activation and let it proceed untouched;
//  5. watches only what changed (one MutationObserver, batched per microtask);
//  6. follows client-side navigation (the top page's URL carries the job id);
//  7. draws the inline balance badge (top frame only);
//  8. listens for `worker:refresh` pushes (new badge; describe again).
// It runs in every same-origin frame of a page too (manifest `all_frames`).
// Injected UI lives in open shadow roots of our own elements (<upwex-credits-*>), inserted
// next to controls, never inside them; text goes in with textContent only.
(() => {
  'use strict';

  // Every _locales key this script words its UI with: the worker answers the hello with
  // their texts (`msg`). extension/tests/i18n.rs checks that no key used here is missing.
  const WORDS = [
    'contentBalanceUnknown', 'contentBudgetUsedUp', 'contentCancel', 'contentChipBlocked', 'contentClose',
    'contentConfirm', 'contentConfirmRegenerate', 'contentDetail', 'contentFoldBadge', 'contentNotConnected',
    'contentNotSetUp', 'contentOffline', 'contentOutOfCredits', 'contentRefused', 'contentRegenerate',
    'contentRegenerateAgain', 'contentRegenerateFirst', 'contentRejectedMany', 'contentRejectedOne',
    'contentResets', 'contentResetsDaily', 'contentSplit', 'contentSyncFailed', 'contentTopUp', 'contentTrialOver',
    'contentUnauthorized', 'contentUnfoldBadge', 'contentUnitMany', 'contentUnitOne', 'contentWaiting',
    'creditsMany', 'creditsOne', 'extName',
  ];
  const OWN_TAGS = new Set(['UPWEX-CREDITS-CHIP', 'UPWEX-CREDITS-BADGE', 'UPWEX-CREDITS-NOTICE']);
  // The same by localName, for the scans: `tagName` makes an upper-case string per element.
  const OWN_NAMES = new Set([...OWN_TAGS].map((t) => t.toLowerCase()));
  // Attributes whose change can change what a control is, or whether an element is a container.
  const WATCHED = ['disabled', 'aria-disabled', 'aria-busy', 'aria-label', 'aria-labelledby', 'title', 'role', 'class', 'id'];
  // Bench only: <meta name="upwex-credits-debug"> makes the script total its main-thread
  // time into <html credits-debug-ms>, the elements its scans visited into
  // credits-debug-visits, and when each phase last happened into credits-debug-marks.
  // The meta is looked for until the head is parsed (the script starts before it).
  let DEBUG = false;
  let debugMs = 0;
  let visits = 0;
  const debugMarks = {};
  debugMarks.script = performance.now();
  function debugOut() {
    const html = document.documentElement;
    html.setAttribute('credits-debug-ms', debugMs.toFixed(2));
    html.setAttribute('credits-debug-visits', String(visits));
    html.setAttribute('credits-debug-marks', JSON.stringify(debugMarks));
  }
  const mark = (name) => { // the latest time
    debugMarks[name] = performance.now();
    if (DEBUG) debugOut();
  };
  const timed = (fn) => (...args) => {
    const t0 = performance.now();
    try { return fn(...args); } finally {
      debugMs += performance.now() - t0;
      if (DEBUG) debugOut();
    }
  };
  const TOP = window === window.top;
  // The page's URL, whose job id every event carries: the top frame's, read through
  // same-origin frames (a cross-origin top cannot be read: then this frame's own).
  let topReadable = !TOP;
  function pageUrl() {
    if (topReadable) {
      try { return window.top.location.href; } catch { topReadable = false; }
    }
    return location.href;
  }

  let marker = '';           // the rules' container marker, lower case
  let lastUrl = pageUrl();
  const keyOf = new WeakMap(); // control -> key
  const tracked = new Map();   // key -> { el, directive, chip, seq }
  let nextKey = 1;
  let seq = 0;
  const containers = new Set(); // known Upwex containers (for late shadow roots)
  const observedRoots = new WeakSet();
  const allowOnce = new WeakSet(); // controls whose next click was confirmed

  // ---- messaging ---------------------------------------------------------------------

  async function ask(message) {
    const reply = await chrome.runtime.sendMessage(message);
    if (reply?.error) throw new Error(reply.error);
    return reply;
  }

  // A message that must arrive (a click): resent with the same content (same event id).
  async function deliver(message, delays = [250, 1000, 3000, 10000]) {
    for (let i = 0; ; i++) {
      try { return await ask(message); } catch (e) {
        if (i >= delays.length) throw e;
        await new Promise((r) => setTimeout(r, delays[i]));
      }
    }
  }

  // ---- finding containers and controls -----------------------------------------------

  // The page's tree is searched for containers with one selector (`containerSelector`): the
  // marker in a class or id, or a data-* attribute whose name carries it or whose value may
  // (`dataNames`: each data-* name seen with the marker, in its name or in a value). Only
  // those names: a real page has a data-v-* name per Vue component, and a selector of every
  // name seen made each query slower as the page grew.
  const dataNames = new Set();
  let markerSelector = null; // for `marker` and `dataNames`; null when either changed
  function containerSelector() {
    if (!markerSelector) {
      const m = `"${CSS.escape(marker)}" i]`;
      const data = [...dataNames].map((n) => `[${CSS.escape(n)}${n.includes(marker) ? ']' : `*=${m}`}`);
      markerSelector = [`[class*=${m}`, `[id*=${m}`, ...data].join(',');
    }
    return markerSelector;
  }
  // The data-* names that carry the marker (in the name, or in the value, any case) in the
  // elements `path` selects from `node` (an XPath location path), learnt for
  // `containerSelector`: CSS cannot match part of an attribute name, so a container marked
  // only by a data-* attribute nothing else on the page has (`<div data-upwex-widget="answer">`,
  // UPWORK.md's own example) is found by this native XPath over the attributes; it makes a
  // JS object only for the few attributes it returns. Folding every value's case (translate)
  // was most of its cost (measured): it runs only on values holding the marker's two
  // rarest letters in either case. Compiled once per marker and path (compiling each time
  // cost as much as evaluating, on a "Load more" of a thousand tiles).
  const SUBTREE = 'descendant-or-self::*';
  // What the parser added after an element, as two queries: a union (`a | b`) sorts its
  // nodes into document order before a predicate, which cost more than the rest (measured).
  const AFTER = ['descendant::*', 'following::*'];
  const RAREST_FIRST = 'zqxjkvbpygfwmucldrhsnioate';
  const dataQueries = new Map(); // path -> XPathExpression, for `marker`
  function dataQuery(path) {
    let query = dataQueries.get(path);
    if (!query) {
      const m = marker.replaceAll('"', '');
      const U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
      // (translate changes ASCII letters only: any other character must be there as it is)
      const has = (c) => (/[a-z]/.test(c) ? `(contains(., "${c}") or contains(., "${c.toUpperCase()}"))` : `contains(., "${c}")`);
      const hint = [...new Set(m)].sort((a, b) => rank(a) - rank(b)).slice(0, 2).map(has).join(' and ');
      const value = `${hint} and contains(translate(., "${U}", "${U.toLowerCase()}"), "${m}")`;
      query = document.createExpression(`${path}/@*[starts-with(name(), "data-") and (contains(name(), "${m}") or (${value}))]`);
      dataQueries.set(path, query);
    }
    return query;
  }
  const rank = (c) => (RAREST_FIRST.includes(c) ? RAREST_FIRST.indexOf(c) : -1); // not a letter: rarer still
  function setMarker(value) {
    marker = value.toLowerCase();
    markerSelector = null;
    dataQueries.clear();
  }
  function learnDataNames(node, path = SUBTREE) {
    if (!marker) return;
    const found = dataQuery(path).evaluate(node, XPathResult.UNORDERED_NODE_SNAPSHOT_TYPE, null);
    for (let i = 0; i < found.snapshotLength; i++) {
      const n = found.snapshotItem(i).name;
      if (!dataNames.has(n)) {
        dataNames.add(n);
        markerSelector = null;
      }
    }
  }
  // The marker text of an Upwex container: each class, id or data-* attribute whose name or
  // value contains the marker, as the core reads it ("upwex-widget upwex-answer",
  // "id=upwex-root", "data-upwex-widget=answer"); null when the element is not one. In the
  // page's tree, whose data-* names are learnt before it is searched, one native `matches`
  // answers for almost every element; in a shadow tree (no page query sees it) each value is
  // read, and the data-* names found with the marker are learnt.
  function markerText(el) {
    if (!marker || !el.hasAttributes()) return null;
    if (el.getRootNode() === document && !el.matches(containerSelector())) return null;
    let text = null;
    for (const n of el.getAttributeNames()) {
      const data = n.startsWith('data-');
      if (n !== 'class' && n !== 'id' && !data) continue;
      const v = el.getAttribute(n);
      if (!n.includes(marker) && !v.toLowerCase().includes(marker)) continue;
      if (data && !dataNames.has(n)) {
        dataNames.add(n);
        markerSelector = null;
      }
      const part = n === 'class' ? v : `${n}=${v}`;
      text = text === null ? part : `${text} ${part}`;
    }
    return text;
  }

  const isControl = (el) => el.tagName === 'BUTTON' || el.getAttribute('role')?.trim().toLowerCase() === 'button';
  const parentOf = (node) => node.parentNode instanceof ShadowRoot ? node.parentNode.host : node.parentElement;

  // Enclosing containers of `node` itself and above, innermost first: [{ el, text }].
  function chainOf(node) {
    const chain = [];
    for (let el = node; el; el = parentOf(el)) {
      if (el.nodeType !== 1) continue;
      const text = markerText(el);
      if (text !== null) chain.push({ el, text });
    }
    return chain;
  }

  // Walks `el` and below (through open shadow roots), queueing every control that sits in a
  // container. `outer` is the chain above `el`, OUTERMOST first (extended, never mutated).
  // Used inside shadow trees only (a widget's own, small); the page's tree is searched with
  // native queries (`scan`), which make a JS wrapper only for what they return.
  let walked = null; // elements walked in this batch of mutations
  function walk(el, outer) {
    if (OWN_NAMES.has(el.localName) || walked?.has(el)) return;
    walked?.add(el);
    visits++;
    let chain = outer;
    const text = markerText(el);
    if (text !== null) {
      chain = [...outer, { el, text }];
      containers.add(el);
    }
    if (chain.length && isControl(el)) queueDescribe(el);
    const shadow = el.shadowRoot;
    if (shadow) {
      observe(shadow);
      for (let c = shadow.firstElementChild; c; c = c.nextElementSibling) walk(c, chain);
    }
    for (let c = el.firstElementChild; c; c = c.nextElementSibling) walk(c, chain);
  }

  // Walks a shadow tree's subtree that appeared or changed, from its ancestors' containers.
  function walkFrom(el) {
    if (walked?.has(el)) return; // before reading its ancestors
    const parent = parentOf(el);
    walk(el, parent ? chainOf(parent).reverse() : []);
  }

  // The open shadow root of `host`, not seen before: observed and walked.
  function enterShadow(host) {
    const shadow = host.shadowRoot;
    if (!shadow || observedRoots.has(shadow) || OWN_NAMES.has(host.localName)) return;
    observe(shadow);
    const outer = chainOf(host).reverse();
    for (let c = shadow.firstElementChild; c; c = c.nextElementSibling) walk(c, outer);
  }

  // Custom elements (a hyphen in the tag name: where open shadow roots usually are) that
  // `path` selects from `node` (an XPath, evaluated natively: no wrapper for the other
  // elements). An open shadow root on a standard element outside a container is not looked
  // for: that needs a visit of every element (extension/README.md).
  const hostQueries = new Map(); // path -> XPathExpression
  function customHosts(path, node) {
    let query = hostQueries.get(path);
    if (!query) {
      query = document.createExpression(`${path}[contains(local-name(), "-")]`);
      hostQueries.set(path, query);
    }
    const found = query.evaluate(node, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
    for (let i = 0; i < found.snapshotLength; i++) {
      visits++;
      enterShadow(found.snapshotItem(i));
    }
  }

  const CONTROLS = 'button, [role~="button" i]';

  // Everything in `root` (in a container): its controls queued, its containers known, the
  // open shadow roots on any of its elements entered.
  function inContainer(root) {
    if (isControl(root)) queueDescribe(root);
    for (const el of root.querySelectorAll(CONTROLS)) {
      visits++;
      if (isControl(el)) queueDescribe(el);
    }
    // Every element of a container is looked at (a widget is small): any may host a shadow
    // root or be a nested container.
    enterShadow(root);
    for (const el of root.querySelectorAll('*')) {
      visits++;
      if (markerText(el) !== null) containers.add(el);
      if (el.shadowRoot) enterShadow(el);
    }
  }

  // Searches the page's subtree `root` with native queries: the containers in it (class,
  // id, or a data-* name learnt: `markerSelector`; the caller learns the subtree's names
  // first) and the controls in those; `within` when `root` already sits in a container.
  // Custom elements' shadow roots: `customHosts`.
  function scan(root, within) {
    if (OWN_NAMES.has(root.localName)) return;
    visits++;
    if (!within && markerText(root) !== null) within = true;
    if (within) {
      containers.add(root); // (or sits in one: the 1 s look for late shadow roots covers it)
      return inContainer(root);
    }
    let outer = null; // the last container searched: those nested in it were searched with it
    for (const c of root.querySelectorAll(containerSelector())) {
      visits++;
      containers.add(c);
      if (outer?.contains(c)) continue;
      outer = c;
      inContainer(c);
    }
  }

  // A page subtree: `scan` and its custom elements' shadow roots.
  function scanTree(root, within) {
    if (!within) learnDataNames(root);
    scan(root, within);
    customHosts(SUBTREE, root);
  }

  // Every control in a container's subtree, in document order, through open shadow roots.
  function controlsIn(root, out = []) {
    for (let c = root.firstElementChild; c; c = c.nextElementSibling) {
      if (OWN_TAGS.has(c.tagName)) continue;
      if (isControl(c)) out.push(c);
      if (c.shadowRoot) controlsIn(c.shadowRoot, out);
      controlsIn(c, out);
    }
    return out;
  }

  // ---- describing ----------------------------------------------------------------------

  function nameParts(el) {
    const ids = el.getAttribute('aria-labelledby');
    let labelledby = null;
    if (ids) {
      const root = el.getRootNode();
      labelledby = ids.trim().split(/\s+/).map((id) => root.getElementById?.(id)?.textContent ?? '').join(' ');
    }
    // Our chips are siblings of the control, never inside it: textContent is the page's.
    return { labelledby, aria_label: el.getAttribute('aria-label'), text: el.textContent, title: el.getAttribute('title') };
  }

  const inactive = (el) => el.matches(':disabled') || el.getAttribute('aria-disabled') === 'true' || el.getAttribute('aria-busy') === 'true';

  const queue = new Set();
  let flushing = false;
  function queueDescribe(el) {
    queue.add(el);
    if (!flushing) {
      flushing = true;
      queueMicrotask(flush);
    }
  }

  // Sends every queued control in one `content:describe` and applies the answer.
  const flush = timed(function flush() {
    flushing = false;
    const url = pageUrl();
    const items = [];
    const neighbourCache = new Map(); // innermost container -> its controls
    for (const el of queue) {
      if (!el.isConnected) continue;
      const chain = chainOf(el);
      let key = keyOf.get(el);
      if (!chain.length) { // no longer in a container
        if (key) drop(key);
        continue;
      }
      if (!key) {
        key = String(nextKey++);
        keyOf.set(el, key);
        tracked.set(key, { el, directive: null, chip: null, seq: 0 });
      }
      const inner = chain[0].el;
      if (!neighbourCache.has(inner)) neighbourCache.set(inner, controlsIn(inner.shadowRoot ?? inner));
      const all = neighbourCache.get(inner);
      const at = all.indexOf(el);
      const neighbours = all
        .filter((c) => c !== el)
        .sort((a, b) => Math.abs(all.indexOf(a) - at) - Math.abs(all.indexOf(b) - at))
        .map(nameParts);
      items.push({
        key,
        candidate: {
          tag: el.localName,
          role: el.getAttribute('role'),
          name: nameParts(el),
          disabled: el.matches(':disabled') || el.getAttribute('aria-disabled') === 'true',
          busy: el.getAttribute('aria-busy') === 'true',
          containers: chain.map((c) => c.text),
          neighbours,
          url,
        },
      });
    }
    queue.clear();
    prune();
    // A candidate described the same way as one the worker already answered, since its last
    // refresh, gets that answer now (a feed repeats the same widget in many tiles).
    const mySeq = ++seq;
    const unanswered = [];
    for (const item of items) {
      const t = tracked.get(item.key);
      t.seq = mySeq;
      item.text = JSON.stringify(item.candidate);
      if (answers.has(item.text)) apply(t, answers.get(item.text));
      else unanswered.push(item);
    }
    if (!unanswered.length) return;
    mark('describe-sent');
    const generation = answersGeneration;
    ask({ type: MESSAGE.describe, url, candidates: unanswered.map((i) => i.candidate) }).then(
      timed(({ directives }) => {
        mark('describe-answered');
        if (generation === answersGeneration && answers.size < 1000) unanswered.forEach((item, i) => answers.set(item.text, directives[i]));
        unanswered.forEach(({ key }, i) => {
          const t = tracked.get(key);
          if (t && t.seq === mySeq) apply(t, directives[i]);
        });
      }),
      () => {}, // the worker is restarting: the next refresh describes again
    );
  });
  // The worker's answers by candidate (its JSON) since its last refresh: what it decides
  // depends on the candidate and on its state, and every change of that state is a refresh.
  const answers = new Map();
  let answersGeneration = 0;
  function forgetAnswers() {
    answers.clear();
    answersGeneration++;
  }

  function redescribeAll() {
    for (const { el } of tracked.values()) queueDescribe(el);
  }

  function drop(key) {
    const t = tracked.get(key);
    if (!t) return;
    t.chip?.remove();
    tracked.delete(key);
    keyOf.delete(t.el);
  }

  function prune() {
    for (const [key, t] of tracked) if (!t.el.isConnected) drop(key);
    for (const c of containers) if (!c.isConnected) containers.delete(c);
    if (press && !press.control.isConnected) press = null;
  }

  // ---- drawing -----------------------------------------------------------------------

  // Our hosts ignore the page's CSS: everything reset, then our own rules in the shadow
  // (important declarations of a shadow tree win over the page's). Positions come in as
  // custom properties, which `all` leaves alone.
  const HOST_CSS = ':host { all: initial !important; display: inline-block !important; } :host([hidden]) { display: none !important; }';
  function ownElement(tag, css) {
    const host = document.createElement(tag);
    const shadow = host.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = HOST_CSS + css;
    shadow.append(style);
    return { host, shadow };
  }
  const make = (tag, className, text) => {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  const CHIP_CSS = `
    .chip { font: 600 11px/16px system-ui, sans-serif; color: #3c1f99; background: #efeaff; border: 1px solid #c9b8ff;
            border-radius: 8px; padding: 0 6px; margin: 0 4px; white-space: nowrap; }
    .chip.blocked { color: #8c1d18; background: #fde8e7; border-color: #f4b7b2; }
    .warning { display: block; font: 11px/15px system-ui, sans-serif; color: #7a4b00; margin: 2px 4px; max-width: 28em; }
    .warning:empty { display: none; }`;
  const chipParts = new WeakMap();

  // Words come from _locales (the worker sends numbers and codes). chrome.i18n has no
  // plural rules: the key for "one" or "many" is chosen by the number.
  // The texts come with the hello's answer, as templates the worker read from chrome.i18n
  // (a page's first `chrome.i18n.getMessage` waits 5-20 ms for the browser, measured): a
  // substitution $n is a hole (`HOLES`). A key missing there (none should be: the i18n
  // test checks WORDS) is asked of chrome.i18n. Each text is made once per page.
  const HOLES = /\uE000(\d)/g; // HOLE (U+E000, private use: in no message), then n
  let templates = {};
  const said = new Map();
  const msg = (key, ...subs) => {
    const id = [key, ...subs].join('\u0000');
    let text = said.get(id);
    if (text === undefined) {
      const template = templates[key];
      text = template === undefined ? chrome.i18n.getMessage(key, subs.map(String))
        : template.replace(HOLES, (_, n) => String(subs[n - 1] ?? ''));
      said.set(id, text);
    }
    return text;
  };
  const plural = new Intl.PluralRules(chrome.i18n.getUILanguage());
  const one = (n) => plural.select(n) === 'one';
  const credits = (n) => one(n) ? msg('creditsOne') : msg('creditsMany', n);
  const warningText = (w) => !w ? ''
    : w.rerolls == null ? msg('contentRegenerate', credits(w.cost))
    : w.rerolls === 0 ? msg('contentRegenerateFirst', credits(w.cost))
    : msg('contentRegenerateAgain', credits(w.cost), w.rerolls);

  // Draws (or removes) the chip of one control from its directive.
  function apply(t, directive) {
    t.directive = directive ?? null;
    if (!directive) {
      t.chip?.remove();
      t.chip = null;
      return;
    }
    if (!t.chip) {
      const { host, shadow } = ownElement('upwex-credits-chip', CHIP_CSS);
      const chip = make('span', 'chip');
      const warning = make('span', 'warning');
      shadow.append(chip, warning);
      chipParts.set(host, { chip, warning });
      t.chip = host;
    }
    if (t.el.nextSibling !== t.chip) t.el.after(t.chip);
    const { chip, warning } = chipParts.get(t.chip);
    chip.textContent = directive.blocked ? msg('contentChipBlocked', credits(directive.cost)) : credits(directive.cost);
    chip.classList.toggle('blocked', Boolean(directive.blocked));
    warning.textContent = warningText(directive.warning);
  }

  const BADGE_CSS = `
    :host { position: fixed !important; right: 16px !important; bottom: 16px !important; z-index: 2147483646 !important; }
    .badge { font: 600 13px/18px system-ui, sans-serif; color: #fff; background: #5c5c5c; border-radius: 16px;
             padding: 6px 12px; box-shadow: 0 2px 8px #0004; cursor: pointer; outline: none; }
    /* White on each tone: at least 4.5:1 (WCAG AA). */
    .badge[data-tone="green"] { background: #0a6e00; } .badge[data-tone="amber"] { background: #8a4f00; }
    .badge[data-tone="red"] { background: #b3141f; }
    .badge:focus-visible { box-shadow: 0 0 0 3px #fff, 0 0 0 5px #3c1f99; }
    .detail, .problem { display: none; font-weight: 400; font-size: 12px; max-width: 22em; }
    .badge:hover .detail, .badge:focus .detail { display: block; }
    .problem:not(:empty) { display: block; }
    .problem::before { content: "⚠ "; }
    .wrap { display: flex; align-items: center; gap: 4px; }
    .fold { font: 600 12px/16px system-ui, sans-serif; color: #fff; background: #5c5c5c; border: 0; border-radius: 50%;
            width: 22px; height: 22px; padding: 0; cursor: pointer; }
    .fold:focus-visible { box-shadow: 0 0 0 3px #fff, 0 0 0 5px #3c1f99; outline: none; }
    /* Folded: only the number, so it covers less of a narrow page. */
    .wrap.folded .unit, .wrap.folded .detail, .wrap.folded .problem { display: none !important; }
    .wrap.folded .badge { padding: 4px 8px; }`;
  let badge = null;

  // The badge's detail: [shown on hover / focus, its screen-reader label]. The shown one
  // does not repeat the number beside it; both say when the credits refill (the worker
  // formats the date: `reset_text`, in the browser's locale and time zone).
  const RESETS = { cycle: 'contentResets', daily: 'contentResetsDaily', trial_over: 'contentTrialOver' };
  function badgeDetail(b) {
    if (!b.configured) return [msg('contentNotSetUp'), msg('contentNotSetUp')];
    if (b.spendable == null) return [msg('contentBalanceUnknown'), msg('contentBalanceUnknown')];
    const key = RESETS[b.reset];
    const reset = key && b.reset_text ? msg(key, b.reset_text) : '';
    const waiting = b.pending > 0 ? ` ${msg('contentWaiting', b.pending)}` : '';
    const shown = [msg('contentSplit', b.remaining, b.extra), reset].filter(Boolean).join(' · ');
    const label = [msg('contentDetail', credits(b.spendable), b.remaining, b.extra), reset].filter(Boolean).join('. ');
    return [shown + waiting, label + waiting];
  }

  // What needs attention: rejections not yet seen, then the last sync error.
  function problemText(p) {
    if (!p) return '';
    const parts = [];
    if (p.rejected_unseen > 0) {
      const reason = p.last_reason ?? msg('contentRefused');
      parts.push(one(p.rejected_unseen) ? msg('contentRejectedOne', reason) : msg('contentRejectedMany', p.rejected_unseen, reason));
    }
    if (p.sync_error === 'network') parts.push(msg('contentOffline', p.pending));
    else if (p.sync_error === 'unauthorized') parts.push(msg('contentUnauthorized'));
    else if (p.sync_error === 'backend') parts.push(msg('contentSyncFailed', p.detail ?? ''));
    return parts.join('. ');
  }

  function drawBadge(view) {
    if (!badge) {
      const { host, shadow } = ownElement('upwex-credits-badge', BADGE_CSS);
      const box = make('div', 'badge');
      box.tabIndex = 0; // the split shows on keyboard focus too
      box.setAttribute('role', 'button');
      // A click (or Enter / Space) opens the full credits page (at Top Up, as the notice does).
      const open = () => ask({ type: MESSAGE.topUp }).catch(() => {});
      box.addEventListener('click', open);
      box.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open();
        }
      });
      const count = make('span', 'count');
      box.append(count, make('span', 'unit'), make('span', 'detail'), make('span', 'problem'));
      // Fold / unfold: the badge shrinks to its number (for this page's life).
      const wrap = make('div', 'wrap');
      const fold = make('button', 'fold', '‹');
      fold.type = 'button';
      const folded = (on) => {
        wrap.classList.toggle('folded', on);
        fold.textContent = on ? '›' : '‹';
        fold.setAttribute('aria-label', msg(on ? 'contentUnfoldBadge' : 'contentFoldBadge'));
        fold.setAttribute('aria-expanded', String(!on));
      };
      folded(false);
      fold.addEventListener('click', () => folded(!wrap.classList.contains('folded')));
      wrap.append(fold, box);
      shadow.append(wrap);
      document.documentElement.append(host);
      badge = { host, box, count, unit: box.querySelector('.unit'), detail: box.querySelector('.detail'), problem: box.querySelector('.problem') };
    }
    const b = view.badge;
    const [detail, label] = badgeDetail(b);
    const problem = problemText(view.problem);
    badge.host.hidden = !b.visible;
    badge.box.dataset.tone = b.tone;
    // Before set-up and with a refused token there is no figure to show: "Not connected".
    const connected = b.configured && view.problem?.sync_error !== 'unauthorized';
    badge.count.textContent = connected ? (b.spendable ?? '–') : msg('contentNotConnected');
    badge.unit.textContent = connected ? ` ${msg(b.spendable != null && one(b.spendable) ? 'contentUnitOne' : 'contentUnitMany')}` : '';
    badge.detail.textContent = detail;
    badge.problem.textContent = problem;
    badge.box.setAttribute('aria-label', problem ? `${label}. ${problem}` : label);
  }

  const NOTICE_CSS = `
    :host { position: absolute !important; z-index: 2147483647 !important; top: var(--top) !important; left: var(--left) !important; }
    .notice { font: 13px/18px system-ui, sans-serif; color: #001e00; background: #fff; border: 2px solid #3c1f99;
              border-radius: 10px; padding: 10px 12px; box-shadow: 0 4px 16px #0003; max-width: 24em; }
    .notice.out { border-color: #d3232f; }
    p { margin: 0 0 8px; } button { font: 600 12px system-ui, sans-serif; margin-right: 6px; padding: 4px 10px;
    border-radius: 8px; border: 1px solid #3c1f99; background: #fff; color: #3c1f99; cursor: pointer; }
    button.primary { background: #3c1f99; color: #fff; }`;
  let notice = null; // { host, close }

  // One notice at a time, anchored to its control in the page (it scrolls with it): below
  // the control, above it when there is no room below, never over it. Escape, a click
  // outside or a button closes it; Tab stays among its buttons while it is open; the focus
  // goes back to the control afterwards.
  function showNotice(control, kind, text, buttons) {
    notice?.close(false);
    const { host, shadow } = ownElement('upwex-credits-notice', NOTICE_CSS);
    const box = make('div', `notice ${kind}`);
    box.setAttribute('role', 'alertdialog');
    box.setAttribute('aria-label', msg('extName'));
    box.setAttribute('aria-modal', 'true');
    box.append(make('p', '', text));
    const close = (refocus = true) => {
      host.remove();
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('pointerdown', onOutside, true);
      if (notice?.host === host) notice = null;
      if (refocus) control.focus?.({ preventScroll: true });
    };
    const onKey = (event) => {
      if (event.key === 'Escape') {
        event.stopImmediatePropagation();
        close();
      } else if (event.key === 'Tab') {
        const all = [...box.querySelectorAll('button')];
        const at = all.indexOf(shadow.activeElement);
        event.preventDefault();
        all[(at + (event.shiftKey ? all.length - 1 : 1)) % all.length]?.focus();
      }
    };
    const onOutside = (event) => { if (!event.composedPath().includes(host)) close(false); };
    for (const [label, action, primary] of buttons) {
      const b = make('button', primary ? 'primary' : '', label);
      b.type = 'button';
      b.addEventListener('click', () => {
        close(!action);
        action?.();
      });
      box.append(b);
    }
    shadow.append(box);
    host.style.setProperty('--top', '0px');
    host.style.setProperty('--left', '0px');
    document.documentElement.append(host);
    const r = control.getBoundingClientRect();
    const height = box.getBoundingClientRect().height;
    const below = r.bottom + 6 + height <= innerHeight || r.top - 6 - height < 0;
    const top = (below ? r.bottom + 6 : r.top - 6 - height) + scrollY;
    host.style.setProperty('--top', `${Math.round(top)}px`);
    host.style.setProperty('--left', `${Math.round(Math.max(8, Math.min(r.left, innerWidth - box.getBoundingClientRect().width - 8)) + scrollX)}px`);
    notice = { host, close };
    document.addEventListener('keydown', onKey, true);
    // At once: the activation that opened it has had its pointerdown already (a click), or
    // none (a key); a timer could run after the next pointerdown (input goes first).
    document.addEventListener('pointerdown', onOutside, true);
    box.querySelector('button.primary')?.focus();
  }

  // ---- activations: clicks and keys ------------------------------------------------------

  function report(d) {
    const message = {
      type: MESSAGE.click,
      id: crypto.randomUUID(), // made now: a resent message is the same event
      action: d.action,
      regenerate: d.regenerate,
      job_id: d.job_id,
      occurred_at: Date.now(),
    };
    forgetAnswers(); // the worker's state changes with it (a job's count)
    deliver(message).then((reply) => TOP && drawBadge(reply), () => {});
  }

  const stop = (event) => {
    event.preventDefault();
    event.stopImmediatePropagation();
  };

  // The tracked control on an event's composed path: the nearest one for a click (it may
  // land on an icon inside), the focused element itself for a key.
  function trackedOn(event) {
    for (const node of event.composedPath()) {
      if (node.nodeType !== 1) continue;
      const t = tracked.get(keyOf.get(node));
      if (t || event.type !== 'click') return t ?? null;
    }
    return null;
  }

  // A key press (keydown to keyup of Enter or Space) on a control counts ONE activation:
  // when the browser or the page turns it into a click (a click with `detail` 0, however
  // many), or else when the page marks one of its key events handled (`preventDefault`,
  // as ARIA widgets do for Enter and Space, whether they act on key down or key up).
  // A key no one handled did nothing and is not counted.
  let press = null; // { control, key, directive, counted }
  const swallowed = new Set(); // keys whose press a notice took: their repeats and keyup stop here

  function count(p) {
    if (p.counted) return;
    p.counted = true;
    report(p.directive);
  }

  // After the page's handlers and the browser's own activation of this key event.
  function settle(event) {
    const p = press;
    setTimeout(() => {
      if (event.defaultPrevented) count(p);
      if (event.type === 'keyup' && press === p) press = null;
    });
  }

  const isActivationKey = (event) => (event.key === 'Enter' || event.key === ' ')
    && !event.isComposing && !event.altKey && !event.ctrlKey && !event.metaKey;

  const onKeyDown = timed(function onKeyDown(event) {
    if (!isActivationKey(event)) return;
    if (swallowed.has(event.key)) return stop(event);
    activate(event);
  });

  const onKeyUp = timed(function onKeyUp(event) {
    if (swallowed.delete(event.key)) return stop(event);
    if (press?.key === event.key) settle(event);
  });
  // A key released in another window never comes back up here.
  window.addEventListener('blur', () => {
    swallowed.clear();
    press = null;
  });

  // Capture phase on window: ours runs before the page's own handlers below it. A click, or
  // the keydown of Enter or Space (onKeyDown).
  function activate(event) {
    const t = trackedOn(event);
    const d = t?.directive;
    if (!d || inactive(t.el)) return; // not a counted control, or not clickable work now
    const control = t.el;
    const key = event.type === 'keydown' ? event.key : null;
    if (!key && event.detail === 0 && press?.control === control) return count(press); // a key's click
    if (key && (d.blocked || d.confirm)) swallowed.add(key); // the notice takes this press
    if (key && !d.blocked && !d.confirm) {
      if (!event.repeat || press?.control !== control) press = { control, key, directive: d, counted: false };
      return settle(event);
    }
    if (!key && allowOnce.has(control)) { // the confirmed click, let through once
      allowOnce.delete(control);
      report(d);
      return;
    }
    if (d.blocked === 'member_budget_exhausted') { // the pool pays, this member's budget does not
      stop(event);
      showNotice(control, 'out', msg('contentBudgetUsedUp'), [[msg('contentClose'), null, true]]);
      return;
    }
    if (d.blocked) {
      stop(event);
      showNotice(control, 'out', msg('contentOutOfCredits'), [
        [msg('contentTopUp'), () => ask({ type: MESSAGE.topUp }).catch(() => {}), true],
        [msg('contentClose')],
      ]);
      return;
    }
    if (d.confirm) {
      stop(event);
      showNotice(control, 'confirm', warningText(d.warning) || msg('contentConfirm', credits(d.cost)), [
        [msg('contentConfirmRegenerate'), () => { allowOnce.add(control); control.click(); }, true],
        [msg('contentCancel')],
      ]);
      return;
    }
    report(d);
  }
  const onClick = timed(activate);

  // ---- watching the page ---------------------------------------------------------------

  // A subtree that appeared or changed: searched with `scan` in the page's tree, walked in
  // a shadow tree. `chains` caches, per parent, whether it sits in a container (a "Load
  // more" appends many tiles to one list: its ancestors are read once).
  function changed(node, chains) {
    if (node.getRootNode() !== document) return walkFrom(node);
    if (walked.has(node)) return;
    walked.add(node);
    const parent = node.parentElement;
    let within = chains.get(parent);
    if (within === undefined) chains.set(parent, within = !!parent && chainOf(parent).length > 0);
    scan(node, within);
  }

  const onMutations = timed(function onMutations(records) {
    if (!marker) return; // before the hello: its scan will see all this
    if (pageUrl() !== lastUrl) urlChanged();
    const chains = new Map();
    let removed = false;
    walked = new Set();
    for (const r of records) {
      const target = r.target;
      // Inside a subtree walked in this batch: the parser reports a new element, then each
      // child it adds to it (most of a page load's records), all seen by that walk.
      if (r.type === 'childList' && walked.has(target)) continue;
      if (target.nodeType === 1 && OWN_TAGS.has(target.tagName)) continue;
      if (r.type === 'attributes') {
        if (isControl(target) || keyOf.has(target)) {
          // Its name or state changed; its container's other controls may read it too.
          const inner = chainOf(target)[0]?.el;
          queueDescribe(target);
          if (inner) for (const t of tracked.values()) if (chainOf(t.el)[0]?.el === inner) queueDescribe(t.el);
        }
        // Only a container that appears or goes away changes what its subtree is.
        if (r.attributeName === 'class' || r.attributeName === 'id') {
          if (containers.has(target) || markerText(target) !== null) {
            containers.delete(target);
            for (const t of tracked.values()) if (target.contains(t.el)) queueDescribe(t.el);
            if (target.getRootNode() === document) learnDataNames(target);
            changed(target, chains);
          }
        }
        continue;
      }
      // childList: new subtrees, and text changes inside a control (its name).
      const added = [...r.addedNodes].filter((n) => n.nodeType === 1 && !OWN_TAGS.has(n.tagName) && n.isConnected);
      // The data-* names and custom elements' shadow roots of the page's new subtrees (the
      // queries compiled once: a "Load more" appends a thousand tiles in one record).
      if (target.getRootNode() === document) {
        for (const node of added) {
          learnDataNames(node);
          customHosts(SUBTREE, node);
        }
      }
      for (const node of added) changed(node, chains);
      if (target.nodeType === 1) {
        if (target.shadowRoot && !observedRoots.has(target.shadowRoot)) enterShadow(target);
        // One native lookup, not a walk up: most records (the parser's) are not in a control.
        const control = tracked.size ? target.closest('button, [role~="button" i]') : null;
        if (control && keyOf.has(control)) queueDescribe(control);
      }
      if (r.removedNodes.length) removed = true;
    }
    walked = null;
    if (removed) prune(); // once per batch: a navigation removes many subtrees at once
  });

  const observer = new MutationObserver(onMutations);
  function observe(root) {
    if (observedRoots.has(root)) return;
    observedRoots.add(root);
    observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: WATCHED });
  }

  // A widget may attach its shadow root to a container after it was scanned, without any
  // mutation we can see: look for new open shadow roots under known containers now and then.
  // A sub-frame also looks here for the top page's client-side navigation.
  setInterval(timed(() => {
    if (document.hidden) return;
    checkUrl();
    for (const c of containers) {
      for (const e of [c, ...c.querySelectorAll('*')]) {
        if (e.shadowRoot && !observedRoots.has(e.shadowRoot)) enterShadow(e);
      }
    }
  }), 1000);

  // Single-page navigation: the URL (and so the job id) changes without a reload.
  function urlChanged() {
    lastUrl = pageUrl();
    redescribeAll();
  }
  function checkUrl() {
    if (pageUrl() !== lastUrl) urlChanged();
  }
  window.addEventListener('popstate', checkUrl);
  globalThis.navigation?.addEventListener?.('navigatesuccess', checkUrl);
  if (!TOP) {
    // The top's own events too, given back when this frame goes (or they would keep its
    // whole script alive).
    const on = (add) => {
      try {
        window.top[add]('popstate', checkUrl);
        window.top.navigation?.[add]?.('navigatesuccess', checkUrl);
      } catch { /* a cross-origin top: the interval above still looks */ }
    };
    on('addEventListener');
    window.addEventListener('pagehide', () => on('removeEventListener'), { once: true });
  }

  function scanAll() {
    for (const [key] of tracked) drop(key);
    containers.clear();
    if (loading) return loading.restart();
    if (document.documentElement) scanTree(document.documentElement, false);
  }

  // ---- while the page is parsed ------------------------------------------------------------

  // The parser only adds elements at the end of the document order. While the page loads,
  // once per frame, the script searches what came after the last element it saw: the later
  // siblings of that element and of each of its ancestors, and its own new children, each
  // with `scan` (native queries: no JS wrapper for the elements they pass over, where a
  // walker made one for every element, the largest cost of a big page in a content script's
  // world). A widget is labelled in the frames after it is first drawn. Records of a
  // MutationObserver for every parsed node would cost more (measured), so the observer starts
  // at DOMContentLoaded; then, if the document holds other elements than the ticks counted
  // (a script inserted or removed some elsewhere meanwhile), the known containers are
  // searched again and the whole page once for containers not known.
  let loading = document.readyState === 'loading' ? parsing() : null;
  function parsing() {
    let last; // the last element of the page seen, where the next tick goes on
    let lost;
    // Whether a script inserted or removed elements elsewhere than at the end, counted
    // natively (no wrappers): each tick, the page's elements less those after `last` must
    // be as many as at the previous tick.
    let elsewhere;
    let counted;
    const all = document.getElementsByTagName('*');
    const ours = [...OWN_NAMES].map((n) => document.getElementsByTagName(n));
    const pageElements = () => ours.reduce((n, c) => n - c.length, all.length);
    const counter = document.createExpression('count(descendant::*) + count(following::*)');
    const after = (node) => counter.evaluate(node, XPathResult.NUMBER_TYPE, null).numberValue;
    const restart = () => {
      last = null;
      lost = false;
      elsewhere = false;
    };
    // The element last in document order (ours passed over).
    const lastElement = () => {
      let e = document.documentElement;
      for (let c = e?.lastElementChild; c; c = e.lastElementChild) {
        while (c && OWN_NAMES.has(c.localName)) c = c.previousElementSibling;
        if (!c) break;
        e = c;
      }
      return e;
    };
    const tick = () => {
      if (!marker || lost || !document.documentElement) return;
      if (!last) {
        scanTree(document.documentElement, false);
      } else if (!last.isConnected) {
        lost = true; // moved by a script: DOMContentLoaded's full scan
        return;
      } else {
        if (pageElements() - after(last) !== counted) elsewhere = true;
        const path = [];
        for (let n = last; n; n = n.parentElement) path.push(n);
        for (const path of AFTER) learnDataNames(last, path);
        let within = false; // a container above path[i]
        for (let i = path.length - 1; i >= 0; i--) {
          for (let s = path[i].nextElementSibling; s; s = s.nextElementSibling) scan(s, within);
          within ||= containers.has(path[i]);
        }
        for (let c = last.firstElementChild; c; c = c.nextElementSibling) scan(c, within);
        for (const path of AFTER) customHosts(path, last);
      }
      last = lastElement();
      counted = pageElements();
    };
    const frame = timed(() => {
      if (loading !== self) return;
      tick();
      requestAnimationFrame(frame);
    });
    const self = {
      restart: () => { restart(); tick(); },
      done: timed(() => {
        tick();
        loading = null;
        observe(document);
        if (!marker) return; // the hello's scan will come
        if (lost) return scanAll();
        if (!elsewhere) return redescribeAll(); // a control's text may have been parsed after the control
        mark('parsed-elsewhere'); // (the bench shows when this happens)
        learnDataNames(document, 'descendant::*');
        for (const c of [...containers]) if (c.isConnected) inContainer(c);
        for (const c of document.querySelectorAll(containerSelector())) if (!containers.has(c)) scan(c, false);
        customHosts('descendant::*', document);
        redescribeAll(); // a control's text may have been parsed after the control
      }),
    };
    restart();
    requestAnimationFrame(frame);
    return self;
  }

  // ---- start -----------------------------------------------------------------------------

  chrome.runtime.onMessage.addListener(timed((message) => {
    if (message?.type !== MESSAGE.refresh) return;
    forgetAnswers();
    const newMarker = message.view.marker.toLowerCase();
    if (TOP) drawBadge(message.view);
    if (newMarker !== marker) { // new rules: what is a container changed
      setMarker(newMarker);
      scanAll();
    } else {
      redescribeAll();
    }
  }));

  window.addEventListener('click', onClick, true);
  window.addEventListener('keydown', onKeyDown, true);
  window.addEventListener('keyup', onKeyUp, true);

  // The script starts before the page is parsed (document_start): the hello goes at once.
  const parsed = !loading ? Promise.resolve()
    : new Promise((done) => document.addEventListener('DOMContentLoaded', () => { loading?.done(); done(); }, { once: true }));
  if (!loading) observe(document);
  (async function start() {
    let hello;
    for (let wait = 200; !hello; wait = Math.min(wait * 2, 5000)) {
      try { hello = await ask({ type: MESSAGE.hello, words: WORDS }); } catch {
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    mark('hello-answered');
    templates = hello.words ?? {};
    timed(() => {
      setMarker(hello.marker);
      scanAll();
    })();
    await parsed; // the badge goes at the end of <html>: not before the parser is done there
    if (TOP && !badge) drawBadge(hello); // (a refresh may have drawn a newer one)
    DEBUG = !!document.querySelector('meta[name="upwex-credits-debug"]');
    mark('parsed');
    // Bench only: a full scan on demand (its own time into credits-debug-scan-ms), beside
    // the plain-JS classifier in the same state of the page; and what the script holds.
    if (DEBUG) {
      document.addEventListener('upwex-credits-debug-scan', () => {
        const t0 = performance.now();
        scanTree(document.documentElement, false);
        flush();
        document.documentElement.setAttribute('credits-debug-scan-ms', (performance.now() - t0).toFixed(2));
      });
      document.addEventListener('upwex-credits-debug-held', () => {
        prune();
        document.documentElement.setAttribute('credits-debug-held', JSON.stringify({ tracked: tracked.size, containers: containers.size }));
      });
    }
  })();
})();
