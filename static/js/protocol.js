// The only module that knows the wire format (docs/protocol.md, version 1).
// Binary messages become plain objects with named typed arrays; commands are
// built here so no other module spells a message type.

export const PROTOCOL_VERSION = 1;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const utf8 = new TextDecoder('utf-8');

/** Split a binary message into its JSON header and a Map name -> {data, shape}. */
export function decodeBinary(buffer) {
  const view = new DataView(buffer);
  const headerLength = view.getUint32(0, true);
  const header = JSON.parse(utf8.decode(new Uint8Array(buffer, 4, headerLength)));
  const payloadStart = 4 + headerLength;
  const arrays = new Map();
  for (const { name, shape, offset } of header.arrays || []) {
    const count = shape.reduce((a, b) => a * b, 1);
    const start = payloadStart + offset;
    let data;
    // A zero-copy view is only valid when aligned and the host is little-endian.
    if (LITTLE_ENDIAN_HOST && start % 4 === 0) {
      data = new Float32Array(buffer, start, count);
    } else {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(start + 4 * i, true);
    }
    arrays.set(name, { data, shape });
  }
  return { header, arrays };
}

/** Decode any binary message into a dataset or frame object (or null if unknown). */
export function decodeMessage(buffer) {
  const msg = decodeBinary(buffer);
  if (msg.header.kind === 'dataset') return toDataset(msg);
  if (msg.header.kind === 'frame') return toFrame(msg);
  return null;
}

function points(arrays, prefix) {
  const x = arrays.get(`${prefix}.x`);
  const y = arrays.get(`${prefix}.y`);
  return { x: x ? x.data : new Float32Array(0), y: y ? y.data : new Float32Array(0), n: y ? y.shape[0] : 0 };
}

function toDataset({ header, arrays }) {
  const sx = arrays.get('samples.x');
  const sy = arrays.get('samples.y');
  return {
    kind: 'dataset',
    problem: header.problem || 'classification', // classification | multiclass | regression
    inputs: header.inputs || 'plane', // plane | line | image
    classes: header.classes ?? (header.problem === 'regression' ? 1 : 2),
    classLabels: header.class_labels || null,
    imageShape: header.image_shape || null, // [h, w] for images
    nTrain: header.n_train ?? null,
    nTest: header.n_test ?? null,
    extent: header.extent,
    train: points(arrays, 'train'),
    test: points(arrays, 'test'),
    // Image datasets: a fixed set of test images, pixels [S, h*w] in [0, 1], labels [S].
    samples: sx && sy ? { x: sx.data, y: sy.data, n: sy.shape[0], size: sx.shape[1] || 0 } : null,
  };
}

const DIAGNOSTICS = {
  meanAbsDelta: 'mean_abs_delta', updateRatio: 'update_ratio', actMean: 'act_mean',
  actStd: 'act_std', dead: 'dead', saturated: 'saturated',
};

/**
 * A frame: run A from the header and the unprefixed arrays. With `compare` in the
 * header, `frame.b` is run B's frame, built the same way from the `b/` arrays and the
 * header's `*_b` fields, so every widget can draw either run.
 */
function toFrame({ header, arrays }) {
  const frame = runFrame(header, arrays, '', {
    columns: header.columns, metrics: header.metrics, warnings: header.warnings,
  });
  frame.compare = header.compare || null; // {field, value}: run B differs in this setting
  frame.b = null;
  if (frame.compare) {
    frame.b = runFrame(header, arrays, 'b/', {
      columns: header.columns_b || header.columns, metrics: header.metrics_b, warnings: header.warnings_b,
    });
    frame.b.compare = frame.compare;
    frame.b.b = null;
  }
  return frame;
}

function runFrame(header, arrays, prefix, { columns = [], metrics = {}, warnings = [] }) {
  const has = (name) => arrays.has(prefix + name);
  const get = (name) => (arrays.has(prefix + name) ? arrays.get(prefix + name).data : null);
  const shapeOf = (name) => (arrays.has(prefix + name) ? arrays.get(prefix + name).shape : null);
  columns = columns || [];
  const layers = [];
  for (let i = 0; has(`layer${i}.W`); i++) {
    const [nIn, nOut] = shapeOf(`layer${i}.W`);
    const p = `layer${i}.`;
    layers.push({
      nIn, nOut,
      W: get(p + 'W'), dW: get(p + 'dW'), dW_step: get(p + 'dW_step'),
      b: get(p + 'b'), db: get(p + 'db'), db_step: get(p + 'db_step'),
      a_mean: get(p + 'a_mean'),
      deltaAbs: get(p + 'delta_abs'), // [nOut]: mean |dL/dz| of each neuron
      // Percentiles 0, 7, 16, 31, 50, 69, 84, 93, 100 (absent before the first step).
      bands: { W: get(p + 'bands.W'), dW: get(p + 'bands.dW'), a: get(p + 'bands.a') },
    });
  }
  const nodes = columns.map((_, j) => get(`grid.nodes${j}`));
  const output = arrays.get(prefix + 'grid.output');
  const confusion = arrays.get(prefix + 'confusion');
  const curveX = get('curve.x');
  const curveY = get('curve.y');
  const pred = get('samples.pred');
  const prob = arrays.get(prefix + 'samples.prob');
  const hist = header.history || { first: header.step, count: 0 };
  const gradNorm = arrays.get(prefix + 'history.grad_norm');
  const diagnostics = {};
  for (const [key, name] of Object.entries(DIAGNOSTICS)) diagnostics[key] = get(`history.${name}`);
  return {
    kind: 'frame',
    problem: header.problem || null,
    inputs: header.inputs || null,
    step: header.step,
    run: header.run, // changes on reset/rebuild when the server sends it
    configVersion: header.config_version,
    running: !!header.running,
    columns,
    metrics: metrics || {},
    // Plain-word warnings about the last steps: [{code, layer, value, message}].
    warnings: Array.isArray(warnings) ? warnings : [],
    layers,
    grid: {
      res: header.grid ? header.grid.res : 0,
      nodeRes: header.grid ? header.grid.node_res : 0,
      extent: header.grid ? header.grid.extent : [-6, 6, -6, 6],
      output: output ? output.data : null,
      // [res, res] for one output; [K, res, res] class probabilities for multiclass.
      outputClasses: output && output.shape.length === 3 ? output.shape[0] : 1,
      nodes,
    },
    // Line inputs: the network's prediction along x.
    curve: curveX && curveY ? { x: curveX, y: curveY, n: Math.min(curveX.length, curveY.length) } : null,
    // Multiclass: counts [K, K], rows = true class, columns = predicted.
    confusion: confusion ? { data: confusion.data, k: confusion.shape[0] } : null,
    // Image inputs: predicted label [S] and class probabilities [S, K] of the sample images.
    samples: pred ? { pred, prob: prob ? prob.data : null, k: prob ? prob.shape[1] : 0 } : null,
    history: {
      first: hist.first,
      count: hist.count,
      loss: get('history.loss'),
      trainLoss: get('history.train_loss'),
      testLoss: get('history.test_loss'),
      learningRate: get('history.learning_rate'),
      gradNorm: gradNorm ? gradNorm.data : null,
      gradLayers: gradNorm && gradNorm.shape.length === 2 ? gradNorm.shape[1] : layers.length,
      // The other per-layer diagnostics, each [count, gradLayers] row-major (or null).
      diagnostics,
    },
  };
}

// Client -> server messages.
export const msg = {
  // watch: a student's page, which waits for a session rather than starting its own.
  join: (session, token, config, watch = false) => ({
    type: 'join', session: session || null, token: token || null, config: config || null, watch: !!watch,
  }),
  play: () => ({ type: 'play' }),
  pause: () => ({ type: 'pause' }),
  step: (n = 1) => ({ type: 'step', n }),
  reset: () => ({ type: 'reset' }),
  regenerate: () => ({ type: 'regenerate' }),
  preset: (name) => ({ type: 'preset', name }),
  set: (config, id) => (id === undefined ? { type: 'set', config } : { type: 'set', config, id }),
};
