// "Explain a step": what the network diagram marks at each stage (pure, tested under
// Node): the layer the stage is about, the neurons of its table in view, the chosen
// weight and, from the backward pass on, the links as this sample's ∂L/∂w.

/**
 * {phase, layer, rows, weight, links}: layer = the weight layer whose neurons are marked
 * (the loss marks the output layer); rows = [first, last] neurons in the table's view or
 * null (all); links = per weight layer {dW (flat, row-major [n_in, n_out]), nOut}, or null
 * for a layer the backward pass has not reached; links = null: the diagram's own colours;
 * explained: the message's layers, for the tooltips.
 */
export function diagramMarks(m, rows = null) {
  const s = m.stages[m.stage];
  const outLayer = m.layers.length - 1;
  const layer = s.phase === 'loss' ? outLayer : s.phase === 'update' ? (m.weight ? m.weight[0] : null) : s.layer;
  let links = null;
  if (s.phase === 'backward') {
    links = m.layers.map((L, l) => (l >= s.layer ? { dW: flatten(L.dW), nOut: L.b.length } : null));
  }
  return { phase: s.phase, layer, rows: s.phase === 'update' ? null : rows, weight: m.weight || null, links, explained: m.layers };
}

/** Nested rows [[..], ..] as one Float64Array, row-major (nulls, for non-finite numbers, as NaN). */
export function flatten(rows) {
  const n = rows.length ? rows[0].length : 0;
  const out = new Float64Array(rows.length * n);
  rows.forEach((r, i) => r.forEach((v, j) => { out[i * n + j] = v ?? NaN; }));
  return out;
}

/**
 * [first, last] of the table rows (each {top, bottom} in the scroller's content) at least
 * half inside the scroller's view below a sticky header of `head` pixels; null when every row shows.
 */
export function visibleRows(rows, scrollTop, height, head = 0) {
  if (!rows.length) return null;
  const top = scrollTop + head;
  const bottom = scrollTop + height;
  let first = -1;
  let last = -1;
  rows.forEach((r, i) => {
    const mid = (r.top + r.bottom) / 2;
    if (mid >= top && mid <= bottom) { if (first < 0) first = i; last = i; }
  });
  if (first < 0) return null;
  return first === 0 && last === rows.length - 1 ? null : [first, last];
}

// --- drawn on the diagram's canvas (network.js calls these; layout from computeLayout) ---

const MARK = '#6a1b9a'; // purple: apart from the links' blue and orange
const BAND = 'rgba(255, 205, 40, 0.22)';

/** The largest |∂L/∂w| of the layers reached, for the links' scale. */
export function linkScale(links) {
  let top = 0;
  for (const L of links) if (L) for (const v of L.dW) if (Math.abs(v) > top) top = Math.abs(v);
  return top;
}

/** Behind everything: a pale band over the marked layer's links and neurons. */
export function drawBand(ctx, layout, marks) {
  const { nodes } = layout;
  if (marks.layer === null || !nodes[marks.layer + 1]) return;
  const from = nodes[marks.layer];
  const col = nodes[marks.layer + 1];
  const pad = col[0].s / 2 + 8;
  const top = Math.min(col[0].y, from[0].y) - pad;
  const bottom = Math.max(col[col.length - 1].y, from[from.length - 1].y) + pad;
  ctx.fillStyle = BAND;
  ctx.fillRect(from[0].x + from[0].s / 2, top, col[0].x + pad - from[0].x - from[0].s / 2, bottom - top);
}

/** Links the backward pass has not reached yet: thin and grey. */
export function drawPendingLinks(ctx, links, reached) {
  ctx.strokeStyle = '#c9ced6';
  ctx.lineWidth = 0.8;
  ctx.beginPath();
  for (const link of links) {
    if (reached[link.layer]) continue;
    const p = link.pts;
    ctx.moveTo(p[0], p[1]);
    for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i], p[i + 1]);
  }
  ctx.stroke();
}

/** On top: the neurons of the table in view, framed, and the chosen weight's link. */
export function drawMarks(ctx, layout, marks) {
  const { nodes, links } = layout;
  const col = marks.layer === null ? null : nodes[marks.layer + 1];
  ctx.save();
  if (col) {
    const [first, last] = marks.rows || [0, col.length - 1];
    const a = col[first];
    const b = col[Math.min(last, col.length - 1)];
    if (a && b) {
      const pad = a.s / 2 + 4;
      ctx.strokeStyle = MARK;
      ctx.lineWidth = 3;
      ctx.strokeRect(a.x - pad, a.y - pad, 2 * pad, b.y - a.y + 2 * pad);
    }
  }
  const w = marks.weight;
  const link = w && links.find((l) => l.layer === w[0] && l.a === w[1] && l.b === w[2]);
  if (link) {
    for (const [colour, width] of [['#fff', 7], [MARK, 4]]) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.beginPath();
      const p = link.pts;
      ctx.moveTo(p[0], p[1]);
      for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i], p[i + 1]);
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** The output plots (plane and line): a ring round each point of the batch, a thick one round the sample explained. */
export function drawBatchRings(ctx, { batch, sample }, pointAt, r) {
  ctx.save();
  batch.forEach((t, pos) => {
    const p = pointAt(t);
    const current = pos === sample;
    for (const [colour, width] of [['#fff', current ? 6 : 4], ['#6a1b9a', current ? 3 : 1.8]]) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.arc(p.x, p.y, current ? 1.6 * r : r, 0, 2 * Math.PI);
      ctx.stroke();
    }
  });
  ctx.restore();
}

/** The batch position whose point is nearest to `at` (within `reach` px), or -1: a click on an output plot. */
export function nearestInBatch(batch, pointAt, at, reach = 24) {
  let best = -1;
  let bestD = reach;
  batch.forEach((t, pos) => {
    const p = pointAt(t);
    const d = Math.hypot(p.x - at.x, p.y - at.y);
    if (d < bestD) { bestD = d; best = pos; }
  });
  return best;
}
