// "Explain a step": the chosen weight's chain rule (each path's factors, their product,
// the sum, the finite-difference check) and its sample-to-batch view (each sample's
// gradient and their mean), as plain models in the parts of explain-tables.js.
// No DOM, no arithmetic on the server's numbers (bars are only drawn to scale).

const num = (v, k) => ({ v, k });

/** One path: factor × factor × … = product; each factor carries its name and what it means. */
export function pathParts(path) {
  const parts = [];
  path.factors.forEach((f, n) => {
    if (n) parts.push(' × ');
    parts.push({ factor: f.name, what: f.what, v: f.value, k: 'factor' });
  });
  parts.push(' = ', num(path.product, 'product'));
  return parts;
}

export function chainModel(m) {
  const c = m.chain;
  if (!c) return null;
  const fd = c.finite_difference;
  const rows = c.paths.map((p, n) => ({ path: n, parts: pathParts(p) }));
  const summary = [];
  if (c.rest && c.rest.count) {
    summary.push({ label: `${c.rest.count} more path${c.rest.count === 1 ? '' : 's'}, summed`, parts: [num(c.rest.sum, 'rest')] });
  }
  if (c.total_paths > 1) summary.push({ label: `sum over all ${c.total_paths} paths`, parts: [num(c.sum, 'sum')] });
  summary.push({ label: 'backpropagation: ∂L/∂w', parts: [num(c.gradient, 'gradient')] });
  if (fd) {
    summary.push({
      label: 'finite difference: (L(w + h) − L(w − h)) / 2h',
      // Enough digits that the two losses, h apart, differ on screen.
      parts: ['(', { v: fd.loss_plus, k: 'loss_plus', digits: 10 }, ' − ', { v: fd.loss_minus, k: 'loss_minus', digits: 10 },
        ') / (2·', num(fd.h, 'h'), ') = ',
        num(fd.estimate, 'estimate')],
    });
    summary.push({ label: 'relative error between the two', parts: [num(fd.relative_error, 'relative_error')], verdict: agreement(fd.relative_error) });
  }
  return {
    title: `∂L/∂w for ${c.name}`, value: c.value,
    intro: c.paths.length === 1 && c.total_paths === 1
      ? 'One path from this weight to the loss: the chain rule multiplies the factors along it.'
      : 'Every path from this weight to the loss contributes the product of its factors; the gradient is their sum.',
    rows, summary, note: c.note || null,
  };
}

/** Words for a relative error: the finite difference confirms the chain rule when they agree closely. */
export function agreement(err) {
  if (err === null || err === undefined || !Number.isFinite(err)) return '';
  if (err < 1e-4) return 'they agree';
  if (err < 1e-2) return 'close (rounding in the finite difference)';
  return 'they differ: a kink (ReLU at 0) or a too large h';
}

/**
 * The chosen weight's per-sample gradients and their mean: [{pos, index, v, bar, current}],
 * bar = |v| relative to the largest |v| (for drawing only).
 */
export function batchModel(m) {
  const u = m.update;
  if (!u || !u.samples) return null;
  let top = 0;
  for (const v of u.samples) if (Number.isFinite(v) && Math.abs(v) > top) top = Math.abs(v);
  const rows = u.samples.map((v, pos) => ({
    pos, index: m.batch[pos], v, current: pos === m.sample,
    bar: top > 0 && Number.isFinite(v) ? Math.abs(v) / top : 0,
  }));
  return {
    title: `From one sample to the batch: ${u.samples.length} samples`,
    rows, mean: u.grad,
    note: 'The trainer steps on the batch: the weight’s gradient is the mean of every sample’s gradient (regularization and clipping, when on, come next in the update).',
  };
}
