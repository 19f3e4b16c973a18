// "Explain a step" of a convolutional network: a CNN's explanation (model: "cnn", see
// docs/protocol.md) as the plain table models of explain-tables.js, one per stage: forward
// through each block (each channel's range, one value worked out: z = Σ w·x + b, a = f(z), or
// a pool's window), the dense head, the loss, backward through the head and each block (δ =
// ∂ℓ/∂a · f′(z) worked out), the update. Beside it the chosen filter weight's gradient: the
// sum over positions of input × δ (its largest terms, the rest summed), the batch's mean, and
// the finite difference of the batch's loss; and the two maps that sum multiplies. Every
// number is the server's; this module places and formats them.

import { updateTable } from './explain-tables.js';
import { agreement } from './explain-chain.js';
import { cssColor, DIVERGING } from './colors.js';
import { fmt } from './format.js';

const num = (v, k) => ({ v, k });
const column = (key, head) => ({ key, head, wide: false });
const at = (p) => `(${p[0] + 1}, ${p[1] + 1})`; // positions are shown 1-based

export const isConv = (m) => !!m && m.model === 'cnn';

/** "W[2,1,1,3]" style names are the server's; the tap (i, j) and the filter for the captions. */
export function weightWords(m) {
  const [l, f, c, i, j] = m.weight;
  const block = m.blocks.find((b) => b.layer === l);
  return `filter ${f + 1}, input channel ${c + 1}, tap ${at([i, j])} of ${block.name}`;
}

export function convTable(m) {
  const s = m.stages[m.stage];
  if (s.phase === 'update') return updateTable(m);
  if (s.phase === 'loss') return lossConv(m);
  if (s.block === null) return s.phase === 'forward' ? headForward(m) : headBackward(m);
  const b = m.blocks[s.block];
  return s.phase === 'forward' ? blockForward(m, b) : blockBackward(m, b);
}

/** Sum lines: the listed products, "N more" summed, the total. */
function sumParts(w, a, b) {
  const parts = [];
  w.terms.forEach((t, n) => {
    if (n) parts.push(' + ');
    parts.push(num(t[a], a === 'w' ? 'w' : 'x'), '·', num(t[b], b === 'x' ? 'x' : 'delta'));
  });
  if (w.rest) parts.push(` + (${w.rest.count} more, summed: `, num(w.rest.sum, 'rest'), ')');
  return parts;
}

/** One row per channel (at most 16): its smallest … largest value. */
function ranges(list, key) {
  return list.map((r, ch) => ({ neuron: ch, cells: { channel: [String(ch + 1)], [key]: [num(r[0], 'min'), ' … ', num(r[1], 'max')] } }));
}

function blockForward(m, b) {
  const w = b.worked;
  const columns = [column('channel', 'channel'), column('range', `${b.kind === 'conv' ? 'a' : 'output'}: smallest … largest`)];
  const rows = ranges(b.out_range, 'range');
  const shape = `${b.shape_in.join('×')} → ${b.shape_out.join('×')}`;
  if (b.kind !== 'conv') {
    const how = b.kind === 'max_pool' ? 'the largest of' : 'the mean of';
    return {
      id: 'forward', caption: `${b.name}: ${shape}`, columns, rows,
      lines: [{ key: 'pool', label: `channel ${w.channel + 1}, output ${at(w.position)} = ${how}`,
        parts: [...w.window.flatMap((v, n) => (n ? [', ', num(v, 'x')] : [num(v, 'x')])), ' = ', num(w.out, 'out')] }],
      note: 'Each output is one 2×2 square of its channel: the map is half as wide, and the filters before it see less detail and more context.',
    };
  }
  const pos = `filter ${w.channel + 1} at ${at(w.position)}`;
  return {
    id: 'forward', caption: `${b.name}: ${shape}, ${b.shape_out[0]} filters of ${b.shape_in[0]}×${b.kernel}×${b.kernel}, stride ${b.stride}`,
    columns, rows,
    lines: [
      { key: 'z', label: `${pos}: z = Σ w·x + b over ${w.count} taps =`, parts: [...sumParts(w, 'w', 'x'), ' + ', num(w.b, 'b'), ' = ', num(w.z, 'z')] },
      { key: 'a', label: `a = ${b.activation.formula.replace(/^a = /, '')} =`, parts: [num(w.out, 'a')] },
    ],
    note: `The same filter slides over every position of its input${b.pad[0] || b.pad[1] ? ' (with zeros around the edge)' : ''}: each output is the filter times the patch under it, plus the bias, then ${b.activation.label}. ${w.padded ? `${w.padded} of these taps fall on the zero padding. ` : ''}The position worked out is where the chosen weight’s gradient term is largest.`,
  };
}

function headForward(m) {
  const h = m.head;
  const columns = [column('neuron', 'output'), column('logit', 'z (logit)'), column('prediction', `prediction ${m.loss.link}`)];
  const rows = h.logits.map((z, k) => ({
    neuron: k, cells: { neuron: [h.labels ? String(h.labels[k]) : String(k + 1)], logit: [num(z, 'z')], prediction: [num(h.prediction[k], 'prediction')] },
  }));
  const hidden = h.hidden.length ? `, then ${h.hidden.length} hidden layer${h.hidden.length > 1 ? 's' : ''} of ${h.hidden.map((l) => l.a.length).join(', ')}` : '';
  return {
    id: 'forward', caption: `Dense head: the maps flattened to ${h.size} inputs${hidden}, then the output`, columns, rows,
    note: 'Flatten lays every map’s values side by side; from here on it is a dense network.',
  };
}

function lossConv(m) {
  const L = m.loss;
  const columns = [column('neuron', 'output'), column('prediction', `prediction ${L.link}`), column('target', 'target y'), column('delta', '∂ℓ/∂z')];
  const rows = L.prediction.map((p, k) => ({
    neuron: k, cells: { neuron: [String(k + 1)], prediction: [num(p, 'prediction')], target: [num(L.target[k], 'target')], delta: [num(L.delta[k], 'delta')] },
  }));
  return {
    id: 'loss', caption: L.label, columns, rows, formula: L.formula, worked: L.worked, value: L.value, batchValue: L.batch_value,
    note: '∂ℓ/∂z at the output is where the backward pass starts.',
  };
}

function headBackward(m) {
  const last = m.blocks[m.blocks.length - 1];
  return {
    id: 'backward', caption: `Dense head, backward: ∂ℓ/∂(maps) of ${last.name}`,
    columns: [column('channel', 'channel'), column('range', '∂ℓ/∂a: smallest … largest')], rows: ranges(last.grad_range, 'range'),
    note: `The head’s weights carry the output’s ∂ℓ/∂z back to each of the ${m.head.size} flattened values: unflattened, they are the error of ${last.name}’s maps.`,
  };
}

function blockBackward(m, b) {
  const w = b.worked;
  if (b.kind !== 'conv') {
    const where = b.kind === 'max_pool' ? 'only the largest of the 2×2 square gets it' : 'each of the 2×2 square gets a quarter';
    return {
      id: 'backward', caption: `${b.name}, backward`, columns: [column('channel', 'channel'), column('range', '∂ℓ/∂(output): smallest … largest')],
      rows: ranges(b.grad_range, 'range'),
      lines: w.grad_in ? [{ key: 'pool', label: `channel ${w.channel + 1}, output ${at(w.position)}: ∂ℓ/∂out =`,
        parts: [num(w.grad_out, 'grad_out'), ` → the square gets `, ...w.grad_in.flatMap((v, n) => (n ? [', ', num(v, 'grad_in')] : [num(v, 'grad_in')]))] }] : [],
      note: `Pooling has no weights: it routes the gradient back, ${where}.`,
    };
  }
  return {
    id: 'backward', caption: `${b.name}, backward: the error maps δ = ∂ℓ/∂z`,
    columns: [column('channel', 'filter'), column('range', 'δ: smallest … largest')], rows: ranges(b.delta_range, 'range'),
    lines: [{ key: 'delta', label: `filter ${w.channel + 1} at ${at(w.position)}: δ = ∂ℓ/∂a · f′(z) =`,
      parts: [num(w.grad_out, 'grad_out'), ' · ', num(w.df, 'df'), ' = ', num(w.delta, 'delta')] }],
    note: `${b.activation.slope}. Every filter weight’s gradient is a sum of input × δ over this map (right).`,
  };
}

/** The chosen filter weight's gradient, for explain-dom.js's renderChain. */
export function convChainModel(m) {
  const c = m.chain;
  if (!c) return null;
  const fd = c.finite_difference;
  const rows = c.terms.map((t, n) => ({
    path: n, parts: [`(${t.position[0] + 1},${t.position[1] + 1}) `, num(t.x, 'x'), '·', num(t.delta, 'delta'), ' = ', num(t.product, 'product')],
  }));
  const summary = [];
  if (c.rest) summary.push({ label: `… ${c.rest.count} more positions, summed`, parts: [num(c.rest.sum, 'rest')] });
  summary.push({ label: `sum over all ${c.count} positions: this sample’s ∂ℓ/∂w`, parts: [num(c.sum, 'sum')] });
  summary.push({ label: `the batch’s dW: the mean of its ${m.batch_size} samples’ (below)`, parts: [num(fd.analytic, 'analytic')] });
  summary.push({
    label: 'finite difference of the batch’s loss: (L(w + h) − L(w − h)) / 2h',
    parts: ['(', { v: fd.loss_plus, k: 'loss_plus', digits: 10 }, ' − ', { v: fd.loss_minus, k: 'loss_minus', digits: 10 },
      ') / (2·', num(fd.h, 'h'), ') = ', num(fd.estimate, 'estimate')],
  });
  summary.push({ label: 'relative error between the two', parts: [num(fd.relative_error, 'relative_error')], verdict: agreement(fd.relative_error) });
  const pad = c.padded ? `, ${c.padded} of them on the zero padding (x = 0)` : '';
  return {
    title: `∂ℓ/∂${c.name}: ${weightWords(m)}`, value: c.value,
    intro: `The filter is shared by all ${c.count} output positions: ∂ℓ/∂w = Σ x·δ over them, x the input under this tap, δ the error there (stride ${c.stride}${pad}). The largest:`,
    rows, summary, note: null,
  };
}

/** The weight chooser's options: the conv layers, and the chosen layer's F, C and k. */
export function chooserModel(m) {
  const [l, f, c, i, j] = m.weight;
  const convs = m.blocks.filter((b) => b.kind === 'conv');
  const b = convs.find((x) => x.layer === l);
  return { layers: convs.map((x) => ({ layer: x.layer, name: x.name })), layer: l, f, c, i, j, F: b.shape_out[0], C: b.shape_in[0], k: b.kernel };
}

/** The weight [l, f, c, i, j] after changing one field, kept inside the new layer's shape. */
export function chosen(m, field, value) {
  const w = { ...chooserModel(m), [field]: value };
  const b = m.blocks.find((x) => x.layer === w.layer);
  const F = b.shape_out[0], C = b.shape_in[0], k = b.kernel;
  return [w.layer, Math.min(w.f, F - 1), Math.min(w.c, C - 1), Math.min(w.i, k - 1), Math.min(w.j, k - 1)];
}

/** The two maps the sum multiplies, with the listed terms' places: [{title, values, marks: [[r, c]]}]. */
export function mapsModel(m) {
  const c = m.chain;
  const [, f, ch, i, j] = m.weight;
  const input = c.terms.map((t) => [t.position[0] * c.stride + i - c.pad[0], t.position[1] * c.stride + j - c.pad[1]]);
  return [
    { key: 'input', title: `input channel ${ch + 1} (x)`, values: m.maps.input, marks: input },
    { key: 'delta', title: `δ of filter ${f + 1}`, values: m.maps.delta, marks: c.terms.map((t) => t.position) },
  ];
}

// --- DOM -------------------------------------------------------------------------------

export function renderChooser(ctx, m, onPick) {
  const { doc } = ctx;
  const w = chooserModel(m);
  const box = doc.createElement('div');
  box.className = 'xchooser';
  const select = (field, label, options) => {
    const l = doc.createElement('label');
    l.className = 'inline';
    const s = doc.createElement('select');
    s.dataset.field = field;
    s.disabled = !ctx.controller;
    for (const [value, text] of options) s.append(new Option(text, String(value), false, value === w[field]));
    s.addEventListener('change', () => onPick(chosen(m, field, Number(s.value))));
    l.append(`${label} `, s);
    return l;
  };
  const count = (n) => Array.from({ length: n }, (_, k) => [k, String(k + 1)]);
  box.append(select('layer', 'layer', w.layers.map((x) => [x.layer, x.name])), select('f', 'filter', count(w.F)), select('c', 'channel', count(w.C)));
  const grid = doc.createElement('div');
  grid.className = 'xtaps';
  grid.style.gridTemplateColumns = `repeat(${w.k}, 1fr)`;
  grid.title = 'the filter’s taps: choose one';
  for (let i = 0; i < w.k; i++) {
    for (let j = 0; j < w.k; j++) {
      const b = doc.createElement('button');
      b.type = 'button';
      b.className = `small xtap${i === w.i && j === w.j ? ' current' : ''}`;
      b.textContent = `${i + 1},${j + 1}`;
      b.dataset.tap = `${i},${j}`;
      b.disabled = !ctx.controller;
      b.addEventListener('click', () => onPick([w.layer, w.f, w.c, i, j]));
      grid.append(b);
    }
  }
  const t = doc.createElement('span');
  t.className = 'xlabel';
  t.textContent = 'tap';
  box.append(t, grid);
  return box;
}

/** Each map as a heatmap (blue +, orange −, scaled to its largest |value|), the listed terms framed. */
export function renderMaps(ctx, models) {
  const { doc } = ctx;
  const box = doc.createElement('div');
  box.className = 'xmaps';
  for (const mm of models) {
    const fig = doc.createElement('figure');
    fig.dataset.map = mm.key;
    const rows = mm.values.length, cols = rows ? mm.values[0].length : 0;
    const cell = Math.max(3, Math.floor(132 / Math.max(rows, cols, 1)));
    const cv = doc.createElement('canvas');
    const dpr = (doc.defaultView && doc.defaultView.devicePixelRatio) || 1;
    cv.width = cols * cell * dpr;
    cv.height = rows * cell * dpr;
    cv.style.width = `${cols * cell}px`;
    cv.style.height = `${rows * cell}px`;
    let top = 0;
    for (const r of mm.values) for (const v of r) if (Number.isFinite(v) && Math.abs(v) > top) top = Math.abs(v);
    const g = cv.getContext('2d');
    if (g) {
      g.scale(dpr, dpr);
      mm.values.forEach((r, y) => r.forEach((v, x) => { g.fillStyle = cssColor(DIVERGING, v ?? 0, -top || -1, top || 1); g.fillRect(x * cell, y * cell, cell, cell); }));
      g.strokeStyle = '#6a1b9a';
      g.lineWidth = Math.max(1.5, cell / 5);
      for (const [y, x] of mm.marks) if (y >= 0 && x >= 0 && y < rows && x < cols) g.strokeRect(x * cell + 1, y * cell + 1, cell - 2, cell - 2);
    }
    const cap = doc.createElement('figcaption');
    cap.textContent = `${mm.title}, ${rows}×${cols}: blue +, orange −, ±${fmt(top, 3)}`;
    fig.append(cv, cap);
    box.append(fig);
  }
  return box;
}
