// Accessibility checks run inside chromium by the e2e tests (a11y_test.go).
// window.zhibuA11y.contrast() measures the WCAG 2.1 contrast of every
// visible text; keyboardPlan() lists what Tab should reach, in order, and
// records each focus to compare with it.
window.zhibuA11y = (() => {
  const parse = (c) => {
    const m = /rgba?\(([^)]*)\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => {
    const a = top.a + bottom.a * (1 - top.a);
    if (a === 0) return { r: 0, g: 0, b: 0, a: 0 };
    const mix = (t, b) => (t * top.a + b * bottom.a * (1 - top.a)) / a;
    return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a };
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const hex = (c) => '#' + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');

  // background composites the backgrounds of el and its ancestors over
  // the white canvas; null when an image or gradient lies behind.
  // Both are asked for every text, so they remember each element's answer.
  const bgs = new WeakMap(), ops = new WeakMap();
  const background = (el) => {
    if (!el || el.nodeType !== 1) return { r: 255, g: 255, b: 255, a: 1 };
    if (bgs.has(el)) return bgs.get(el);
    const s = getComputedStyle(el);
    let bg = background(el.parentElement);
    if (bg && s.backgroundImage && s.backgroundImage !== 'none') bg = null;
    const c = parse(s.backgroundColor);
    if (bg && c && c.a > 0) bg = over(c, bg);
    bgs.set(el, bg);
    return bg;
  };
  const opacity = (el) => {
    if (!el || el.nodeType !== 1) return 1;
    if (ops.has(el)) return ops.get(el);
    const o = Number(getComputedStyle(el).opacity) * opacity(el.parentElement);
    ops.set(el, o);
    return o;
  };
  const describe = (el) => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim()) d += '.' + el.className.trim().split(/\s+/).join('.');
    if (el.dataset && el.dataset.testid) d += '[data-testid=' + el.dataset.testid + ']';
    const text = (el.innerText || el.textContent || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 30);
    return d + ' "' + text + '"';
  };
  const shown = (el) => {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false;
    return r.right > 0 && r.bottom > 0 && r.left < document.documentElement.scrollWidth;
  };
  // measure returns the contrast of el's text (or placeholder) and the
  // ratio it needs; null when it cannot be measured.
  const measure = (el, pseudo) => {
    const s = getComputedStyle(el, pseudo);
    const svg = el instanceof SVGElement;
    let fg = parse(svg ? s.fill : s.color);
    const bg = background(svg ? el.closest('svg') || el : el);
    if (!fg || !bg) return null;
    fg = { ...fg, a: fg.a * opacity(el) };
    const shownFg = over(fg, bg);
    const size = parseFloat(s.fontSize);
    const bold = Number(s.fontWeight) >= 700;
    const large = !svg && (size >= 24 || (size >= 18.66 && bold));
    return { ratio: ratio(shownFg, bg), need: large ? 3 : 4.5, fg: hex(shownFg), bg: hex(bg), size };
  };

  const contrast = () => {
    const failures = [];
    let checked = 0, skipped = 0;
    const check = (el, pseudo) => {
      const m = measure(el, pseudo);
      if (!m) { skipped++; return; }
      checked++;
      if (m.ratio + 1e-9 < m.need) {
        failures.push(describe(el) + (pseudo ? ' ' + pseudo : '') + ': ' + m.ratio.toFixed(2) + ':1 (' + m.fg + ' on ' + m.bg + ', ' + m.size + 'px), needs ' + m.need + ':1');
      }
    };
    for (const el of document.body.querySelectorAll('*')) {
      if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION'].includes(el.tagName)) continue;
      if (el.disabled) continue;
      const hasText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
      const field = el.matches('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]), select, textarea');
      if (!hasText && !field) continue;
      if (!shown(el)) continue;
      if (hasText || (field && (el.value || el.tagName === 'SELECT'))) check(el);
      if (field && el.placeholder) check(el, '::placeholder');
    }
    return { checked, skipped, failures };
  };

  const tabbable = (el) => {
    if (el.disabled || el.tabIndex < 0) return false;
    if (el.matches('input[type=hidden]')) return false;
    if (!el.checkVisibility({ visibilityProperty: true })) return false;
    if (el.closest('[inert]')) return false;
    if (el.type === 'radio' && el.name) {
      const group = Array.from((el.form || document).querySelectorAll('input[type=radio]')).filter((r) => r.name === el.name && !r.disabled);
      const on = group.find((r) => r.checked);
      return on ? on === el : group[0] === el;
    }
    return true;
  };
  const focusStyle = (el) => {
    const s = getComputedStyle(el);
    return { outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 ? s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor : 'none',
      outlineColor: s.outlineColor, shadow: s.boxShadow, border: s.borderColor + ' ' + s.borderWidth, bg: s.backgroundColor };
  };

  // keyboardPlan numbers what Tab should reach in document order (no
  // positive tabindex is used), notes each one's unfocused look, and
  // records every later focus with its focused look.
  const keyboardPlan = () => {
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    const list = Array.from(document.querySelectorAll('a[href], button, input, select, textarea, [tabindex], summary')).filter(tabbable);
    const plain = list.map((el) => focusStyle(el));
    list.forEach((el, i) => { el.dataset.a11yTab = String(i); });
    const seen = [];
    document.addEventListener('focusin', (e) => {
      const el = e.target;
      const i = el.dataset && el.dataset.a11yTab !== undefined ? Number(el.dataset.a11yTab) : -1;
      const now = focusStyle(el);
      const was = i >= 0 ? plain[i] : null;
      const visible = !!was && (now.outline !== was.outline || now.shadow !== was.shadow);
      let indicator = 0;
      if (now.outline !== 'none') {
        const bg = background(el.parentElement || el);
        const oc = parse(now.outlineColor);
        if (bg && oc) indicator = ratio(over(oc, bg), bg);
      } else if (visible) {
        indicator = 99; // a box shadow: its colour is not measured
      }
      const m = el.matches('a, button, summary') ? measure(el) : null;
      seen.push({ i, what: describe(el), scroller: el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight, visible, indicator, text: m ? m.ratio : 99, need: m ? m.need : 0 });
    });
    window.zhibuA11ySeen = seen;
    // Tab also steps through the parts of a date or time field.
    const parts = { date: 2, 'datetime-local': 5, time: 2, month: 1, week: 1 };
    const extra = list.reduce((n, el) => n + (el.tagName === 'INPUT' ? parts[el.type] || 0 : 0), 0);
    return { want: list.map(describe), extra };
  };

  return { contrast, keyboardPlan };
})();
