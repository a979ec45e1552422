// The bench's baseline: the same recognition as the extension, in plain JavaScript, run in
// the page itself (no messages, no drawing): find Upwex containers (marker in class, id or a
// data-* name/value) through open shadow roots, name each control as the core does
// (aria-labelledby, aria-label, text, title; normalised), match the shipped rules' names,
// resolve Regenerate by widget marker or neighbour. Returns the time it took, in ms.
// Serialised into the page by page.evaluate: it must be self-contained.
export function plainClassifier(expected) {
  const t0 = performance.now();
  const marker = 'upwex';
  const rules = [
    ['cover_letter', ['cover letter', 'generate cover letter', 'write cover letter'], ['cover-letter', 'cover_letter', 'coverletter']],
    ['job_assistant', ['job assistant', 'run job assistant'], ['job-assistant', 'job_assistant', 'jobassistant']],
    ['answer', ['answer', 'answer with ai', 'generate answer'], ['answer']],
  ];
  const regen = ['regenerate', 'regenerate cover letter', 'regenerate answer'];
  const normalize = (s) => s.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, '').replace(/\s+/g, ' ').trim();
  const markerText = (el) => {
    let text = null;
    for (const a of el.attributes) {
      const n = a.name;
      if ((n === 'class' || n === 'id' || n.startsWith('data-')) && (n.includes(marker) || a.value.toLowerCase().includes(marker))) {
        text = `${text ?? ''} ${n === 'class' ? a.value : `${n}=${a.value}`}`;
      }
    }
    return text;
  };
  const name = (el) => {
    const ids = el.getAttribute('aria-labelledby');
    const parts = [
      ids && ids.split(/\s+/).map((id) => el.getRootNode().getElementById(id)?.textContent ?? '').join(' '),
      el.getAttribute('aria-label'), el.textContent, el.getAttribute('title'),
    ];
    for (const p of parts) if (p && normalize(p)) return normalize(p);
    return '';
  };
  const found = [];
  const walk = (el, chain) => {
    if (el.localName.startsWith('upwex-credits-')) return;
    const m = el.hasAttributes() ? markerText(el) : null;
    if (m !== null) chain = [m, ...chain];
    if (chain.length && (el.tagName === 'BUTTON' || el.getAttribute('role') === 'button')
        && !el.disabled && el.getAttribute('aria-busy') !== 'true' && el.getAttribute('aria-disabled') !== 'true') {
      const n = name(el);
      let action = rules.find((r) => r[1].includes(n))?.[0];
      if (!action && regen.includes(n)) action = chain.map((c) => rules.find((r) => r[2].some((w) => c.includes(w)))?.[0]).find(Boolean);
      if (action) found.push([el, action]);
    }
    if (el.shadowRoot) for (const c of el.shadowRoot.children) walk(c, chain);
    for (const c of el.children) walk(c, chain);
  };
  walk(document.documentElement, []);
  const took = performance.now() - t0;
  if (found.length !== expected) throw new Error(`plain classifier found ${found.length}, expected ${expected}`);
  return took;
}
