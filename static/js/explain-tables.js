// "Explain a step": the table of each stage (forward, loss, backward, update) as a plain
// model, no DOM (tested under Node; explain-dom.js renders it). Every number is one the
// server sent: a cell lists its terms side by side, it never multiplies or adds them.
//
// A table: {caption, note, columns: [{key, head}], rows: [{neuron, cells: {key: Cell}}]}.
// A Cell is a list of parts: a string, a number {v, k} (k names its part for the tests
// and the CSS: w, x, b, z, a, ...), a guess {guess, v, size} (predict, then reveal),
// or a number held back until a guess is made {v, k, hold}.

const SUB = '₀₁₂₃₄₅₆₇₈₉';

/** "x" and 12 -> "x₁₂". */
export function sub(name, n) {
  return name + String(n).split('').map((d) => SUB[d]).join('');
}

/** Where the stage is: "Forward · hidden layer 1", "Loss", "Backward · output layer", "Update". */
export function stageTitle(m, index = m.stage) {
  const s = m.stages[index];
  if (!s) return '';
  const phase = s.phase[0].toUpperCase() + s.phase.slice(1);
  if (s.t !== null && s.t !== undefined) return `${phase} · time step ${s.t + 1}`; // through time (explain-time.js)
  if (s.name) return `${phase} · ${s.name}`; // a CNN's block or its dense head (explain-conv.js)
  return s.layer === null || s.layer === undefined ? phase : `${phase} · ${m.layers[s.layer].name}`;
}

/** Where in the phase: "hidden layer 2 · 6 of 8", "the loss · 4 of 8". */
export function stagePlace(m, index = m.stage) {
  const s = m.stages[index];
  const what = s.t !== null && s.t !== undefined ? `time step ${s.t + 1}` : s.name
    || (s.layer === null || s.layer === undefined ? `the ${s.phase}` : m.layers[s.layer].name);
  return `${what} · ${index + 1} of ${m.stages.length}`;
}

/** The four phases in order, each with the first stage index that shows it. */
export function phases(m) {
  const out = [];
  m.stages.forEach((s, i) => { if (!out.some((p) => p.phase === s.phase)) out.push({ phase: s.phase, stage: i }); });
  return out;
}

/** What the inputs of weight layer l are called, and the names of each. */
export function inputNames(m, l) {
  if (l === 0) return { what: 'the features of this sample', names: m.inputs };
  const prev = m.layers[l - 1];
  return { what: `the outputs of ${prev.name}`, names: prev.out.map((_, i) => sub('x', i + 1)) };
}

const num = (v, k) => ({ v, k });

/**
 * w₁·x₁ + w₂·x₂ + …: pairs of numbers, each pair side by side, nothing multiplied;
 * pick(i): the weight [l, i, j] the left number is, so a click on it chooses it.
 */
function terms(left, right, kl, kr, pick) {
  const parts = [];
  left.forEach((v, i) => {
    if (i) parts.push(' + ');
    parts.push({ v, k: kl, pick: pick(i) }, '·', num(right[i], kr));
  });
  return parts;
}

const column = (key, head, wide = false) => ({ key, head, wide });

export const FOLD = 16; // more terms than this (an image's pixels) fold away until opened

/** Many terms as one part that opens on demand: {fold: "64 terms wᵢ·xᵢ", parts}. */
function foldTerms(parts, count, what) {
  return count > FOLD ? [{ fold: `${count} terms ${what}`, parts }] : parts;
}

export function forwardTable(m, l) {
  const L = m.layers[l];
  const bn = !!L.batch_norm;
  const into = bn ? 'y' : 'z';
  const columns = [column('neuron', 'neuron'), column('sum', 'Σ wᵢ·xᵢ + b', true),
    column('z', 'z')];
  if (bn) columns.push(column('y', 'batch norm: ẑ = (z − μ) / σ, y = γ·ẑ + β'));
  columns.push(column('a', `${L.label}: ${L.formula}${bn ? ' (of y)' : ''}`));
  if (L.mask || L.skip) columns.push(column('out', outHead(L)));
  const rows = L.z.map((z, j) => {
    const cells = {
      neuron: [String(j + 1)],
      sum: [...foldTerms(terms(L.W.map((row) => row[j]), L.x, 'w', 'x', (i) => [l, i, j]), L.x.length, 'wᵢ·xᵢ'), ' + ', num(L.b[j], 'b')],
      z: [num(z, 'z')],
      a: [`${L.activation}(`, num(bn ? L.y[j] : z, into), ') = ', num(L.a[j], 'a')],
    };
    if (bn) {
      cells.y = ['ẑ = (', num(L.z[j], 'z'), ' − ', num(L.mean[j], 'mean'), ') / ', num(L.std[j], 'std'), ' = ', num(L.z_hat[j], 'z_hat'),
        '; y = ', num(L.gamma[j], 'gamma'), '·', num(L.z_hat[j], 'z_hat'), ' + ', num(L.beta[j], 'beta'), ' = ', num(L.y[j], 'y')];
    }
    if (L.mask || L.skip) cells.out = outCell(L, j);
    return { neuron: j, dropped: !!L.mask && L.mask[j] === 0, cells };
  });
  const { what, names } = inputNames(m, l);
  return {
    id: 'forward', caption: `${L.name}: ${L.z.length} neuron${L.z.length === 1 ? '' : 's'}`,
    inputs: { what, items: names.map((name, i) => ({ name, v: L.x[i] })) },
    note: forwardNote(L), columns, rows,
  };
}

function outHead(L) {
  if (L.mask && L.skip) return 'out = a·mask + skip';
  return L.mask ? 'out = a·mask (dropout)' : 'out = a + skip (residual)';
}

function outCell(L, j) {
  const parts = [num(L.a[j], 'a')];
  if (L.mask) parts.push('·', num(L.mask[j], 'mask'));
  if (L.skip) parts.push(' + ', num(L.skip[j], 'skip'));
  parts.push(' = ', num(L.out[j], 'out'));
  return parts;
}

function forwardNote(L) {
  const notes = ['Each neuron multiplies every input by the weight of its link, adds them up with its bias to get z, and its activation turns z into a. Click a weight to follow it.'];
  if (L.batch_norm) notes.push('Batch norm: z is normalized to ẑ = (z − μ) / σ, with μ and σ the mean and spread of z over the whole batch, then scaled by γ and shifted by β.');
  if (L.mask) notes.push('Dropout: a mask of 0 drops the neuron for this step; the others are scaled up by 1/(1 − p).');
  if (L.skip) notes.push('Residual: the layer’s input is added to its output (the skip).');
  return notes.join(' ');
}

export function lossTable(m) {
  const loss = m.loss;
  const split = !!loss.dL_dyhat;
  const columns = [column('neuron', 'output'), column('logit', 'z (logit)'), column('prediction', `prediction ${loss.link}`),
    column('target', 'target y')];
  columns.push(column('delta', split ? 'dL/dŷ · dŷ/dz = dL/dz' : 'dL/dz = ŷ − y'));
  const rows = loss.prediction.map((p, k) => ({
    neuron: k,
    cells: {
      neuron: [String(k + 1)],
      logit: [num(loss.logits[k], 'z')],
      prediction: [num(p, 'prediction')],
      target: [num(loss.target[k], 'target')],
      delta: split
        ? [num(loss.dL_dyhat[k], 'dL_dyhat'), ' · ', num(loss.dyhat_dz[k], 'dyhat_dz'), ' = ', num(loss.delta[k], 'delta')]
        : [num(p, 'prediction'), ' − ', num(loss.target[k], 'target'), ' = ', num(loss.delta[k], 'delta')],
    },
  }));
  return {
    id: 'loss', caption: loss.label, columns, rows,
    formula: loss.formula, worked: loss.worked, value: loss.value, batchValue: loss.batch_value,
    note: 'dL/dz is where the backward pass starts: how the loss of this sample changes with each output’s z.',
  };
}

/** Guess keys: one per δ (step, sample, layer, neuron) and one per chosen weight's update. */
export const deltaKey = (m, l, j) => `${m.step}:${m.sample}:d${l}.${j}`;
export const updateKey = (m) => `${m.step}:${m.sample}:u${m.weight}`;

export function backwardTable(m, l) {
  const L = m.layers[l];
  const next = m.layers[l + 1];
  const bn = !!L.batch_norm;
  const columns = [column('neuron', 'neuron')];
  if (next) {
    columns.push(column('weighted', 'Σₖ wⱼₖ·δₖ (next layer)', true));
    if (L.skip_grad) columns.push(column('grad_out', 'dL/d(out) = Σ + skip'));
    columns.push(column('df', L.slope));
    if (bn) columns.push(column('dy', `dL/dy = f′ · dL/d(out)${L.mask ? ' · mask' : ''}`));
    columns.push(column('delta', bn ? 'δ = dL/dz (through batch norm)' : `δ = f′(z) · dL/d(out)${L.mask ? ' · mask' : ''}`));
  } else {
    columns.push(column('delta', m.loss.dL_dyhat ? 'δ = dL/dŷ · dŷ/dz (from the loss)' : 'δ = dL/dz (from the loss)'));
  }
  const rows = L.delta.map((d, j) => {
    const key = deltaKey(m, l, j);
    const guess = { guess: key, v: d, size: L.delta_size ? L.delta_size[j] : null, k: 'delta' };
    const cells = { neuron: [String(j + 1)] };
    if (next) {
      const sum = terms(next.W[j], next.delta, 'w', 'delta_next', (k) => [l + 1, j, k]);
      cells.weighted = [...foldTerms(sum, next.delta.length, 'wⱼₖ·δₖ'), ' = ', num(L.weighted[j], 'weighted')];
      if (L.skip_grad) cells.grad_out = [num(L.weighted[j], 'weighted'), ' + ', num(L.skip_grad[j], 'skip_grad'), ' = ', num(L.grad_out[j], 'grad_out')];
      cells.df = [num(L.df[j], 'df')];
      if (bn) {
        cells.dy = [num(L.df[j], 'df'), ' · ', num(L.grad_out[j], 'grad_out'),
          ...(L.mask ? [' · ', num(L.mask[j], 'mask')] : []), ' = ', num(L.dy[j], 'dy')];
      }
      cells.delta = bn ? [guess] : [num(L.df[j], 'df'), ' · ', num(L.grad_out[j], 'grad_out'),
        ...(L.mask ? [' · ', num(L.mask[j], 'mask')] : []), ' = ', guess];
    } else {
      const { dL_dyhat: dy, dyhat_dz: dz } = m.loss;
      cells.delta = dy ? [num(dy[j], 'dL_dyhat'), ' · ', num(dz[j], 'dyhat_dz'), ' = ', guess] : [guess];
    }
    // Under the row: the gradient of each link into this neuron, which the diagram now draws.
    const dW = [];
    L.x.forEach((x, i) => {
      if (i) dW.push(';  ');
      if (!bn) dW.push({ v: x, k: 'x', hold: key }, '·', { v: d, k: 'delta', hold: key }, ' = ');
      dW.push({ v: L.dW[i][j], k: 'dW', hold: key, pick: [l, i, j] });
    });
    const detail = { label: bn ? '∂L/∂w of its links:' : '∂L/∂w of its links, xᵢ·δ:', parts: dW, count: L.x.length };
    return { neuron: j, dropped: !!L.mask && L.mask[j] === 0, cells, detail };
  });
  return {
    id: 'backward', caption: `${L.name}: δ of each neuron`, columns, rows, note: backwardNote(L, next),
    prompt: `Predict: is each δ positive (+) or negative (−)${L.delta_size ? ', and large or small for this layer' : ''}?`,
  };
}

function backwardNote(L, next) {
  if (!next) return 'The output layer’s δ is the loss’s dL/dz. The links now show ∂L/∂w of this sample.';
  if (L.batch_norm) return 'With batch norm, dL/dy (before the normalization) is a product as usual, but δ = dL/dz also depends on the other samples of the batch through their mean μ and spread σ, so it is not a single product here.';
  return 'Each neuron collects the δ of the next layer through the weights it feeds, times the slope of its activation. The links show ∂L/∂w of this sample.';
}

export function updateTable(m) {
  const u = m.update;
  if (!u) return { id: 'update', empty: 'Click a link in the network (or a weight in a table) to see its update.', rows: [], columns: [] };
  const key = updateKey(m);
  const columns = [column('symbol', ''), column('formula', 'the rule, then with the numbers', true), column('value', 'value')];
  const rows = u.lines.map((line, n) => ({
    neuron: n,
    cells: {
      symbol: [line.symbol],
      formula: [line.formula, { text: line.numbers, k: 'numbers', hold: key }],
      value: [{ v: line.value, k: 'line', hold: key }],
    },
  }));
  return {
    id: 'update', caption: `${u.label}, learning rate ${u.learning_rate}`, columns, rows,
    change: { before: u.before, step: { guess: key, v: u.step, size: u.step_size ?? null, k: 'step' }, after: { v: u.after, k: 'after', hold: key } },
    clipped: !!u.clipped,
    prompt: `Predict: will this weight go up (+) or down (−)${u.step_size ? ', by a large or a small step for its layer' : ''}?`,
    note: `The batch’s ∂L/∂w is the mean of its ${u.samples.length} per-sample gradients (right); regularization and clipping, when on, act on it before the optimizer’s rule.${u.clipped ? ' The gradient was clipped this step.' : ''}`,
  };
}

/** A guess {sign: '+'|'-', size?} against the value: each part right (true), wrong (false) or moot (null). */
export function judge(guess, v, size) {
  const sign = v === 0 || v === null ? null : (v > 0) === (guess.sign === '+');
  return { sign, size: size ? guess.size === size : null };
}

/** A guess is complete once it has a sign, and a size when the message gives one. */
export function guessDone(guess, size) {
  return !!guess && !!guess.sign && (!size || !!guess.size);
}
