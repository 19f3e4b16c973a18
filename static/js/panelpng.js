// A panel as a PNG at the screen's pixel density: its heading, then the part of the panel its
// canvases cover, each canvas where it sits on screen, on the panel's background. The canvases
// already hold devicePixelRatio pixels per CSS pixel, so nothing is redrawn or rescaled: the
// picture is what the screen shows. Controls and text outside canvases (a layer's menus, the
// numbers beside the loss) are left out: the page cannot rasterize its own DOM without a
// third-party library, and a picture of menus says nothing.

export const GAP = 8; // CSS px between the heading and the canvases

/**
 * The picture's layout in device pixels. panel, canvases: CSS-pixel boxes {x, y, width,
 * height}; head: the CSS height the heading takes (0: none). Hidden canvases (zero size) and
 * ones wholly outside the panel (scrolled away) are left out; the rest keep their places
 * relative to the panel's left and to the top of the highest one, below the heading.
 * Returns {width, height, top (CSS px on screen where the canvases start), draws: [{index, x, y, w, h}]}.
 */
export function placements(panel, canvases, dpr, head = 0) {
  const px = (v) => Math.round(v * dpr);
  const shown = canvases
    .map((c, index) => ({ ...c, index }))
    .filter((c) => c.width > 0 && c.height > 0 && c.x < panel.x + panel.width && c.x + c.width > panel.x
      && c.y < panel.y + panel.height && c.y + c.height > panel.y);
  const top = shown.length ? Math.max(panel.y, Math.min(...shown.map((c) => c.y))) : panel.y;
  const bottom = shown.length ? Math.min(panel.y + panel.height, Math.max(...shown.map((c) => c.y + c.height))) : panel.y;
  const draws = shown.map((c) => ({ index: c.index, x: px(c.x - panel.x), y: px(head + c.y - top), w: px(c.width), h: px(c.height) }));
  return { width: px(panel.width), height: px(head + bottom - top), top, draws };
}

/** The file name: which panel, at which step. */
export function pngName(panel, step) {
  return `backprop-lab-${panel}-step-${step}.png`;
}

/** The panel `el` drawn into one canvas (heading and canvases), resolved as a PNG Blob. */
export function panelPng(el, dpr = window.devicePixelRatio || 1) {
  const rect = (node) => {
    const r = node.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  };
  const box = rect(el);
  const heading = el.querySelector('h2');
  const h = heading ? rect(heading) : null;
  const canvases = [...el.querySelectorAll('canvas')];
  const layout = placements(box, canvases.map(rect), dpr, h ? h.y + h.height - box.y + GAP : 0);
  const out = document.createElement('canvas');
  out.width = layout.width;
  out.height = layout.height;
  const ctx = out.getContext('2d');
  ctx.fillStyle = getComputedStyle(el).backgroundColor || '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  if (heading) {
    const style = getComputedStyle(heading);
    ctx.fillStyle = style.color;
    ctx.font = `${style.fontWeight} ${parseFloat(style.fontSize) * dpr}px ${style.fontFamily}`;
    ctx.textBaseline = 'top';
    ctx.fillText(heading.textContent.trim(), (h.x - box.x) * dpr, (h.y - box.y) * dpr);
  }
  for (const d of layout.draws) ctx.drawImage(canvases[d.index], d.x, d.y, d.w, d.h);
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('no PNG'))), 'image/png'));
}
