// WCAG 2.x contrast of every drawn text, measured in the page Chromium drew (page.evaluate(measureContrast)).
// Self-contained: Playwright sends the function's source to the page.
/* global document, getComputedStyle, matchMedia, Node -- it runs in the page */

/**
 * For every element with a text node of its own (and every input/textarea, whose text is its value
 * or, when empty, its placeholder): the text colour composited over the element's effective
 * background, and the WCAG 2.x contrast ratio. The background is found by walking up from the
 * element to the first opaque background-color, compositing every translucent one on the way (and
 * the page canvas last). Opacity of the element and its ancestors fades the text toward that
 * background. Background images (gradients) are not considered: the components use none.
 * Elements clipped away (outside an overflow-hidden ancestor, e.g. list items below the fold of a
 * scroll-view) or invisible are not drawn and not measured.
 *
 * Returns { texts: [{ selector, text, kind, color, background, ratio, required, fontSize, bold }], clipped }.
 * kind: 'text' (body text: 4.5:1, or 3:1 when large: ≥ 24 px, or ≥ 18.66 px and bold), 'placeholder'.
 */
export function measureContrast() {
  const parse = (css) => {
    const m = css.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  // Source-over: colour `top` (with alpha) over an opaque `bottom`.
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const channel = (c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const hex = (c) => '#' + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  const canvas = (() => {
    // The canvas behind <html>: the root's background if any, else the UA canvas for the colour scheme.
    const root = parse(getComputedStyle(document.documentElement).backgroundColor);
    if (root[3] > 0) return over(root, [255, 255, 255, 1]);
    return matchMedia('(prefers-color-scheme: dark)').matches ? [18, 18, 18, 1] : [255, 255, 255, 1];
  })();
  const background = (el) => {
    const layers = [];
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let result = canvas;
    for (let i = layers.length - 1; i >= 0; i--) result = over(layers[i], result);
    return result;
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible' || style.display === 'none') return false;
    let r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
    for (let e = el.parentElement; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      if (e === document.body || e === document.documentElement) continue;
      r = e.getBoundingClientRect();
      left = Math.max(left, r.left);
      top = Math.max(top, r.top);
      right = Math.min(right, r.right);
      bottom = Math.min(bottom, r.bottom);
      if (right - left < 1 || bottom - top < 1) return false;
    }
    return true;
  };
  const selector = (el) => {
    const path = [];
    for (let e = el; e && e !== document.body && path.length < 3; e = e.parentElement) {
      const classes = [...e.classList].filter((c) => !/^wx-/.test(c) || e.classList.length === 1);
      path.unshift(classes.length ? `.${classes.join('.')}` : e.tagName.toLowerCase());
    }
    return path.join(' ');
  };

  const texts = [];
  let clipped = 0;
  const measure = (el, kind, text, colorCss) => {
    if (!visible(el)) {
      clipped++;
      return;
    }
    const style = getComputedStyle(el);
    const bg = background(el);
    const fg = parse(colorCss);
    fg[3] *= opacity(el);
    const shown = over(fg, bg);
    const fontSize = parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const large = fontSize >= 24 || (fontSize >= 18.66 && bold);
    texts.push({
      selector: selector(el),
      text: text.trim().replace(/\s+/g, ' ').slice(0, 40),
      kind,
      color: colorCss,
      shown: hex(shown),
      background: hex(bg),
      ratio: Math.round(ratio(shown, bg) * 100) / 100,
      required: large ? 3 : 4.5,
      fontSize,
      bold,
    });
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') {
      if (el.value) measure(el, 'text', el.type === 'password' ? '••••' : el.value, getComputedStyle(el).color);
      else if (el.placeholder) measure(el, 'placeholder', el.placeholder, getComputedStyle(el, '::placeholder').color);
      continue;
    }
    const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '');
    if (own.length) measure(el, 'text', own.map((n) => n.textContent).join(' '), getComputedStyle(el).color);
  }
  return { texts, clipped };
}
