// An `explanation` message shaped as /work/wt/EXPLAIN.md (docs/protocol.md) describes it, for
// the explain modules' tests: 2 inputs, one hidden layer of 2 tanh neurons, one sigmoid
// output, batch of 3. The numbers are made up (the page must show them, not check them).

export function explanation(over = {}) {
  const hidden = {
    index: 0, name: 'hidden layer 1', activation: 'tanh', label: 'Tanh', formula: 'a = tanh(z)', slope: 'f′(z) = 1 − a²',
    x: [0.5, -1.25], W: [[0.2, -0.4], [0.1, 0.3]], b: [0.05, -0.1], z: [0.025, -0.675],
    batch_norm: false, z_hat: null, gamma: null, beta: null, y: null,
    a: [0.025, -0.588], mask: null, skip: null, out: [0.025, -0.588],
    grad_out: [-0.2, 0.35], weighted: [-0.2, 0.35], skip_grad: null, df: [0.9994, 0.654], delta: [-0.1999, 0.2289],
    delta_size: ['small', 'large'], dW: [[-0.09995, 0.1145], [0.2499, -0.2861]], db: [-0.1999, 0.2289],
  };
  const output = {
    index: 1, name: 'output layer', activation: 'sigmoid', label: 'Sigmoid', formula: 'ŷ = σ(z)', slope: 'f′(z) = ŷ·(1 − ŷ)',
    x: [0.025, -0.588], W: [[0.5], [-0.875]], b: [0.01], z: [0.537],
    batch_norm: false, z_hat: null, gamma: null, beta: null, y: null,
    a: [0.6311], mask: null, skip: null, out: [0.6311],
    grad_out: [-0.4], weighted: null, skip_grad: null, df: [0.2328], delta: [-0.4], delta_size: null,
    dW: [[-0.01], [0.2352]], db: [-0.4],
  };
  return {
    type: 'explanation', on: true, step: 13, sample: 1, batch_size: 3, batch: [17, 4, 9], images: null, stage: 0,
    stages: [{ phase: 'forward', layer: 0 }, { phase: 'forward', layer: 1 }, { phase: 'loss', layer: null },
      { phase: 'backward', layer: 1 }, { phase: 'backward', layer: 0 }, { phase: 'update', layer: null }],
    inputs: ['x₁', 'x₂'], layers: [hidden, output],
    loss: {
      name: 'bce', label: 'Binary cross-entropy', output: 'sigmoid', link: 'ŷ = σ(z)',
      formula: 'L = −[y·log ŷ + (1 − y)·log(1 − ŷ)]', worked: '−[1·log 0.6311 + 0·log 0.3689]',
      logits: [0.537], prediction: [0.6311], target: [1], value: 0.4603, batch_value: 0.52,
      dL_dyhat: [-1.585], dyhat_dz: [0.2328], delta: [-0.369],
    },
    weight: [0, 1, 0],
    chain: {
      weight: [0, 1, 0], name: 'w[1](2→1)', value: 0.1, gradient: 0.2499,
      paths: [{ factors: [{ name: '∂L/∂z', value: -0.4, what: 'how the loss changes with the output’s z' },
        { name: 'w', value: 0.5, what: 'the weight from neuron 1 to the output' },
        { name: 'f′(z)', value: 0.9994, what: 'the slope of tanh at z' },
        { name: 'x', value: -1.25, what: 'the input x₂' }], product: 0.2499 }],
      total_paths: 1, rest: null, sum: 0.2499, note: null,
      finite_difference: { h: 1e-5, loss_plus: 0.46030250, loss_minus: 0.46029750, estimate: 0.2499, analytic: 0.2499, relative_error: 3.2e-9 },
    },
    update: {
      optimizer: 'sgd', label: 'SGD', learning_rate: 0.1, samples: [0.12, 0.2499, -0.0199], grad: 0.1167,
      lines: [{ symbol: 'g', formula: '∂L/∂w of the batch', numbers: '(0.12 + 0.2499 − 0.0199) / 3', value: 0.1167 },
        { symbol: 'Δw', formula: '−η·g', numbers: '−0.1·0.1167', value: -0.01167 },
        { symbol: 'w', formula: 'w + Δw', numbers: '0.1 + (−0.01167)', value: 0.08833 }],
      before: 0.1, step: -0.01167, after: 0.08833, step_size: 'large', clipped: false,
    },
    ...over,
  };
}

/** The text a cell reads as: numbers as {k: v} markers, so a test sees what is shown and where. */
export function read(parts) {
  return parts.map((p) => {
    if (typeof p === 'string') return p;
    if (p.text !== undefined) return p.k ? `<${p.text}>` : p.text;
    if (p.guess !== undefined) return `?${p.k}=${p.v}`;
    if (p.factor !== undefined) return `[${p.factor}=${p.v}]`;
    return `{${p.k}=${p.v}}`;
  }).join('');
}
