// "Explain a step" through time: a recurrent run's explanation (model: "recurrent", see
// docs/protocol.md) as the plain table models of explain-tables.js, one per stage: forward
// (h_t at every time step), the loss, backward at one time step (per hidden unit: the output
// term, the recurrent term δ_{t+1} W_hᵀ, their sum ∂ℓ/∂h_t, f′(z_t) and δ_t, with the equation
// written out for the chosen weight's unit), the update. Beside it: the chosen W_h weight's
// gradient as the sum of its shares, one per time step (a bar row), against the finite
// difference. Every number is the server's; bars are only drawn to scale.

import { sub, updateTable } from './explain-tables.js';
import { agreement } from './explain-chain.js';
import { renderParts, renderTable } from './explain-dom.js';
import { fmt } from './format.js';

const num = (v, k) => ({ v, k });
const column = (key, head, wide = false) => ({ key, head, wide });
const FOLD = 4; // a sum of more terms than this folds away until opened: the equation stays one line

/** "h₃" for 0-based time step 2: the page counts time steps from 1. */
export const at = (name, t) => sub(name, t + 1);

export const isTime = (m) => !!m && m.model === 'recurrent';

/** The stage's table model. */
export function timeTable(m) {
  const s = m.stages[m.stage];
  if (s.phase === 'forward') return forwardTime(m);
  if (s.phase === 'loss') return lossTime(m);
  if (s.phase === 'backward') return backwardTime(m, s.t);
  return updateTable(m);
}

/** The unit whose equation a backward stage writes out: the chosen weight's (its h_t end), else the first. */
export function chosenUnit(m) {
  return m.gradient ? m.gradient.to : 0;
}

const cellName = (m) => (m.cell === 'rnn' ? `plain RNN (${m.activation.label})` : m.cell.toUpperCase());

export function forwardTime(m) {
  const T = m.steps.length;
  const columns = [column('unit', ''), ...m.steps.map((s) => column(`t${s.t}`, `t = ${s.t + 1}`))];
  const inputs = m.inputs.map((name, k) => ({
    neuron: `x${k}`,
    cells: { unit: [`x: ${name}`], ...Object.fromEntries(m.steps.map((s) => [`t${s.t}`, [num(s.x[k], 'x')]])) },
  }));
  const units = m.steps[0].h.map((_, j) => ({
    neuron: j,
    cells: { unit: [`h: unit ${j + 1}`], ...Object.fromEntries(m.steps.map((s) => [`t${s.t}`, [num(s.h[j], 'h')]])) },
  }));
  const rule = m.cell === 'rnn'
    ? `hₜ = ${m.activation.name}(xₜ W_x + hₜ₋₁ W_h + b): every step makes its state from its input and the state before it, with the same weights.`
    : `The ${m.cell.toUpperCase()}'s gates (${m.blocks.join(', ')}) decide at every step what of hₜ₋₁ and xₜ goes into hₜ; the same weights at every step.`;
  return {
    id: 'forward', caption: `${cellName(m)}: the state h at each of the ${T} time steps`, columns, rows: [...inputs, ...units],
    note: `${rule} The output layer reads ${m.readout === 'last' ? `the last state, h${sub('', T)}` : 'the state at every step'}.`,
  };
}

export function lossTime(m) {
  const L = m.loss;
  const last = m.readout === 'last';
  const list = (vs, k) => vs.flatMap((v, i) => (i ? [', ', num(v, k)] : [num(v, k)]));
  const rows = (last ? [[m.steps.length - 1, L.prediction, L.target]] : L.prediction.map((p, t) => [t, p, L.target[t]]))
    .map(([t, p, y]) => ({ neuron: t, cells: { step: [`t = ${t + 1}`], prediction: list(p, 'prediction'), target: list(y, 'target') } }));
  return {
    id: 'loss', caption: `${L.label}, read ${last ? 'at the last step' : 'at every step'}`,
    columns: [column('step', 'time step'), column('prediction', `prediction ${L.link}`), column('target', 'target y')], rows,
    lines: last
      ? [{ key: 'formula', label: L.formula, parts: [] }, { key: 'worked', label: '', parts: [`= ${L.worked} = `, num(L.value, 'loss')] }]
      : [{ key: 'formula', label: L.formula, parts: [] }, { key: 'worked', label: 'at the last step:', parts: [`ℓ = ${L.worked}`] },
        { key: 'value', label: 'this sequence’s loss, the mean over its steps:', parts: [num(L.value, 'loss')] }],
    note: last
      ? 'Only the last step is scored: the earlier steps get a gradient only back through W_h, step by step.'
      : 'Every step is scored: each step’s output sends its own term back, besides what comes through W_h.',
  };
}

export const deltaTimeKey = (m, t, j) => `${m.step}:${m.sample}:t${t}.${j}`;

export function backwardTime(m, t) {
  const S = m.steps[t];
  const next = m.steps[t + 1];
  const rnn = !!S.df;
  const H = S.h.length;
  const columns = [column('neuron', 'unit'), column('from_output', 'output term'),
    column('recurrent', next ? `${at('δ', t + 1)} W_hᵀ` : 'δ W_hᵀ (last step: none)')];
  if (S.direct) columns.push(column('direct', `u ⊙ ∂ℓ/∂${at('h', t + 1)}`));
  columns.push(column('dh', `∂ℓ/∂${at('h', t)} (sum)`));
  if (rnn) columns.push(column('df', `f′(${at('z', t)})`), column('delta', at('δ', t)));
  else m.blocks.forEach((b, g) => columns.push(column(`delta${g}`, `δ ${b}`)));
  const rows = S.dh.map((dh, j) => {
    const cells = {
      neuron: [String(j + 1)], from_output: [num(S.from_output[j], 'from_output')], recurrent: [num(S.recurrent[j], 'recurrent')],
      dh: [num(dh, 'dh')],
    };
    if (S.direct) cells.direct = [num(S.direct[j], 'direct')];
    if (rnn) {
      cells.df = [num(S.df[j], 'df')];
      cells.delta = [{ guess: deltaTimeKey(m, t, j), v: S.delta[j], size: null, k: 'delta' }];
    } else {
      m.blocks.forEach((_, g) => { cells[`delta${g}`] = [num(S.delta[g * H + j], 'delta')]; });
    }
    return { neuron: j, cells };
  });
  return {
    id: 'backward', caption: `Back through time step ${t + 1} of ${m.steps.length}`, columns, rows,
    lines: equation(m, t, chosenUnit(m)),
    prompt: rnn ? `Predict: is each ${at('δ', t)} positive (+) or negative (−)?` : null,
    note: rnn
      ? `Each unit adds the output term (what its output sends back, 0 where nothing is read) to ${next ? 'what the next step sends back through W_h' : 'nothing: no step comes after'}, and multiplies by its activation’s slope. Step by step back, these products shrink (vanishing) or grow (exploding).`
      : `The ${m.cell.toUpperCase()}'s own backward step turns ∂ℓ/∂h into the δ of each gate; its gates can pass the gradient on without shrinking it.`,
  };
}

/** The chosen unit's equation at step t with its numbers, the recurrent term's sum, and its share of dW_h. */
function equation(m, t, j) {
  const S = m.steps[t];
  const next = m.steps[t + 1];
  const name = `unit ${j + 1}:`;
  const lines = [];
  const rec = next ? `${at('δ', t + 1)} W_hᵀ` : '0';
  if (S.df) {
    lines.push({
      key: 'equation', label: name,
      parts: [`${at('δ', t)} = f′(${at('z', t)}) · (${rec} + output term) = `, num(S.df[j], 'df'), ' · (', num(S.recurrent[j], 'recurrent'),
        ' + ', num(S.from_output[j], 'from_output'), ') = ', num(S.delta[j], 'delta')],
    });
  } else {
    const parts = [`∂ℓ/∂${at('h', t)} = ${rec} + output term${S.direct ? ' + u ⊙ ∂ℓ/∂h next' : ''} = `, num(S.recurrent[j], 'recurrent'),
      ' + ', num(S.from_output[j], 'from_output')];
    if (S.direct) parts.push(' + ', num(S.direct[j], 'direct'));
    lines.push({ key: 'equation', label: name, parts: [...parts, ' = ', num(S.dh[j], 'dh')] });
  }
  if (next && S.df) { // a plain RNN's δ_{t+1} W_hᵀ for unit j: Σₖ δ_{t+1,k}·W_h[j][k]
    const terms = [];
    next.delta.forEach((d, k) => {
      if (k) terms.push(' + ');
      terms.push(num(d, 'delta_next'), '·', { v: m.Wh[j][k], k: 'w', pick: [0, j, k] });
    });
    const shown = next.delta.length > FOLD ? [{ fold: `Σₖ ${at('δ', t + 1)},ₖ·W_h[${j + 1}][k]: ${next.delta.length} terms`, parts: terms }] : terms;
    lines.push({ key: 'recurrent', label: `${at('δ', t + 1)} W_hᵀ for unit ${j + 1} =`, parts: [...shown, ' = ', num(S.recurrent[j], 'recurrent')] });
  }
  const g = m.gradient;
  if (g) {
    const factors = S.df ? [num(S.h_prev[g.from], 'h_prev'), ' · ', num(S.delta[g.weight[2]], 'delta'), ' = '] : [];
    lines.push({
      key: 'share', label: `${g.name}'s share at this step${S.df ? `, ${at('h', t - 1)}·${at('δ', t)}` : ''}:`,
      parts: [...factors, num(S.share, 'share')],
    });
  }
  return lines;
}

/** The side panel's gradient (for explain-dom.js's renderChain): the sum of the shares, the finite difference. */
export function timeChainModel(m) {
  const g = m.gradient;
  if (!g) return null;
  const fd = g.finite_difference;
  const summary = [{ label: `backpropagation through time: the sum of the ${m.window} shares`, parts: [num(g.gradient, 'gradient')] }];
  if (g.note) summary.push({ label: 'full BPTT, over the whole sequence', parts: [num(fd.analytic, 'analytic')] });
  summary.push({
    label: 'finite difference: (ℓ(w + h) − ℓ(w − h)) / 2h',
    parts: ['(', { v: fd.loss_plus, k: 'loss_plus', digits: 10 }, ' − ', { v: fd.loss_minus, k: 'loss_minus', digits: 10 },
      ') / (2·', num(fd.h, 'h'), ') = ', num(fd.estimate, 'estimate')],
  });
  summary.push({ label: 'relative error between the two', parts: [num(fd.relative_error, 'relative_error')], verdict: agreement(fd.relative_error) });
  const block = m.blocks.length > 1 ? ` (block ${g.block})` : '';
  return {
    title: `∂ℓ/∂${g.name}: unit ${g.from + 1} of hₜ₋₁ to unit ${g.to + 1} of hₜ${block}`, value: g.value,
    intro: 'W_h is used at every time step, so its gradient is the sum of one share per step (the bars below).',
    rows: [], summary, note: g.note,
  };
}

/** The shares of the chosen weight over the time steps: [{t, v, bar, current, reached, stage}], bar = |v| / max |v|. */
export function sharesModel(m) {
  const g = m.gradient;
  if (!g) return null;
  const now = m.stages[m.stage].t;
  let top = 0;
  for (const s of m.steps) if (Number.isFinite(s.share) && Math.abs(s.share) > top) top = Math.abs(s.share);
  const rows = m.steps.map((s) => ({
    t: s.t, v: s.share, reached: s.reached, current: s.t === now,
    bar: top > 0 && Number.isFinite(s.share) ? Math.abs(s.share) / top : 0,
    stage: m.stages.findIndex((st) => st.phase === 'backward' && st.t === s.t),
  }));
  return { title: `${g.name}'s share at each time step`, rows, sum: g.gradient };
}

/** The unrolled net's and the time heatmap's marks for this stage: {t (or null), from, to}. */
export function timeMarks(m) {
  if (!isTime(m)) return null;
  const g = m.gradient;
  return { t: m.stages[m.stage].t ?? null, from: g ? g.from : null, to: g ? g.to : null };
}

// --- DOM -------------------------------------------------------------------------------

/** explain-dom.js's table, with the equation lines under its caption. */
export function renderTimeTable(ctx, model) {
  const box = renderTable(ctx, model);
  box.dataset.time = 'true';
  if (!model.lines) return box;
  const block = ctx.doc.createElement('div');
  block.className = 'xlines';
  for (const line of model.lines) {
    const p = ctx.doc.createElement('p');
    p.className = 'xline';
    p.dataset.line = line.key;
    if (line.label) {
      const l = ctx.doc.createElement('span');
      l.className = 'xlabel';
      l.textContent = line.label;
      p.append(l, ' ');
    }
    p.append(renderParts(ctx, line.parts));
    block.append(p);
  }
  box.querySelector('.xcaption')?.after(block);
  return box;
}

/** The shares as a row of bars over t (the current step framed); a click goes to that step's stage. */
export function renderShares(ctx, model, onStage) {
  const { doc } = ctx;
  const box = doc.createElement('div');
  box.className = 'xshares';
  const h = doc.createElement('h3');
  h.className = 'xcaption';
  h.textContent = model.title;
  const row = doc.createElement('div');
  row.className = 'xsharebars';
  for (const r of model.rows) {
    const b = doc.createElement('button');
    b.type = 'button';
    b.className = `xshare${r.current ? ' current' : ''}${r.reached ? '' : ' unreached'}`;
    b.dataset.t = String(r.t);
    b.title = `step ${r.t + 1}: ${fmt(r.v, 4)}${r.reached ? '' : ' (outside the truncation window)'}`;
    b.disabled = !ctx.controller || r.stage < 0;
    const fill = doc.createElement('span');
    fill.className = r.v < 0 ? 'xfill neg' : 'xfill';
    fill.style.height = `${(100 * r.bar).toFixed(1)}%`;
    b.append(fill);
    b.addEventListener('click', () => onStage(r.stage));
    row.append(b);
  }
  const sum = doc.createElement('p');
  sum.className = 'xmean';
  const current = model.rows.find((r) => r.current);
  sum.textContent = `${current ? `step ${current.t + 1}: ${fmt(current.v, 4)} · ` : ''}sum over the steps: `;
  const s = doc.createElement('span');
  s.className = 'num';
  s.dataset.part = 'shares_sum';
  s.textContent = fmt(model.sum, 4);
  sum.append(s);
  box.append(h, row, sum);
  return box;
}
