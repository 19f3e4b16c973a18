// The only module that knows the wire format (docs/protocol.md, version 1).
// Binary messages become plain objects with named typed arrays; commands are
// built here so no other module spells a message type. Array names are
// self-describing, so decoding needs no list of them: a per-layer diagnostic the
// engine adds reaches frame.history under its own name.

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

/** "train_loss" -> "trainLoss": how a wire name reads as a key of frame.history. */
export function camel(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
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

/**
 * A frame: run A from the header and the unprefixed arrays. With `compare` in the
 * header, `frame.b` is run B's frame, built the same way from the `b/` arrays and the
 * header's `*_b` fields, so every widget can draw either run.
 */
function toFrame({ header, arrays }) {
  const frame = runFrame(header, arrays, '', {
    columns: header.columns, metrics: header.metrics, warnings: header.warnings, health: header.health,
    sequence: header.sequence,
  });
  frame.replay = header.replay || null; // a kept step the timeline shows (server/replay.py); null: live
  frame.compare = header.compare || null; // {field, value}: run B differs in this setting
  frame.b = null;
  if (frame.compare) {
    frame.b = runFrame(header, arrays, 'b/', {
      columns: header.columns_b || header.columns, metrics: header.metrics_b, warnings: header.warnings_b,
      health: header.health_b, sequence: header.sequence_b || header.sequence,
    });
    frame.b.compare = frame.compare;
    frame.b.b = null;
  }
  return frame;
}

/** One run's arrays with the prefix taken off: name -> {data, shape}. */
function runArrays(arrays, prefix) {
  const own = new Map();
  for (const [name, arr] of arrays) {
    if (prefix) { if (name.startsWith(prefix)) own.set(name.slice(prefix.length), arr); }
    else if (!name.startsWith('b/')) own.set(name, arr);
  }
  return own;
}

/**
 * layer{i}.<name> arrays, one object per weight layer keyed by the wire names
 * (W, dW, dW_step, b, db, db_step, a_mean, delta_abs; bands.<kind> under `bands`).
 */
function layersOf(arrays) {
  const layers = [];
  for (const [name, { data, shape }] of arrays) {
    const m = /^layer(\d+)\.(.+)$/.exec(name);
    if (!m) continue;
    const i = Number(m[1]);
    const layer = layers[i] || (layers[i] = { bands: {} });
    if (m[2].startsWith('bands.')) layer.bands[m[2].slice(6)] = data;
    else layer[m[2]] = data;
    if (m[2] === 'W') { layer.nIn = shape[0]; layer.nOut = shape[1]; layer.shape = shape; }
  }
  // Only complete layers: the diagram needs every layer's W (a CNN's big head layers send
  // their bias and spreads only, server/conv_run.py: they count, and have no W).
  const n = layers.findIndex((l) => !l || !(l.W || l.b));
  return n < 0 ? layers : layers.slice(0, n);
}

/**
 * A CNN frame's own part: the blocks (each {kind, label, settings, shape [C, H, W], layer}),
 * the sample {index, label}, its image, each block's maps: maps[j] = {a, delta?, dW?} as
 * {data, shape}, and the weight layers (conv ones with 4-D `shape`).
 */
function cnnOf(header, arrays, layers) {
  const maps = (header.blocks || []).map((_, j) => {
    const one = {};
    for (const what of ['a', 'delta', 'dW']) if (arrays.has(`block${j}.${what}`)) one[what] = arrays.get(`block${j}.${what}`);
    return one;
  });
  return { blocks: header.blocks || [], imageShape: header.image_shape, sample: header.sample, x: arrays.get('sample.x') || null, maps, layers };
}

/**
 * history.<name> arrays as frame.history[camel(name)]; per-layer ones are
 * [count, layers] row-major and set `layers`.
 */
function historyOf(header, arrays) {
  const range = header.history || { first: header.step, count: 0 };
  const history = { first: range.first, count: range.count, layers: 0 };
  for (const [name, { data, shape }] of arrays) {
    if (!name.startsWith('history.')) continue;
    history[camel(name.slice(8))] = data;
    if (shape.length === 2) history.layers = shape[1];
  }
  return history;
}

/**
 * A recurrent run's own arrays (docs: RECURRENT_FRAME): the shown sequence (seq.*), the
 * gradient through time (time.*) and the cell's and output layer's weights, each as
 * {data, shape} (a gated cell's Wx, Wh hold G blocks of H columns side by side).
 */
function recurrentOf(arrays) {
  const pair = (name) => arrays.get(name) || null;
  const weights = [{}, {}];
  for (const [name, arr] of arrays) {
    const m = /^layer([01])\.(.+)$/.exec(name);
    if (m) weights[Number(m[1])][m[2]] = arr;
  }
  return {
    x: pair('seq.x'), y: pair('seq.y'), pred: pair('seq.pred'), h: pair('seq.h'),
    dhNorm: pair('time.dh_norm'), dWhNorm: pair('time.dWh_norm'), heat: pair('time.heat'), heatSteps: pair('time.heat_steps'),
    cell: weights[0], out: weights[1],
  };
}

function runFrame(header, arrays, prefix, { columns, metrics, warnings, health, sequence }) {
  arrays = runArrays(arrays, prefix);
  const get = (name) => (arrays.has(name) ? arrays.get(name).data : null);
  const output = arrays.get('grid.output');
  const confusion = arrays.get('confusion');
  const prob = arrays.get('samples.prob');
  const curveX = get('curve.x');
  const curveY = get('curve.y');
  const pred = get('samples.pred');
  columns = columns || [];
  const recurrent = header.model === 'recurrent';
  const layers = layersOf(arrays);
  return {
    kind: 'frame',
    model: recurrent || header.model === 'cnn' ? header.model : 'feedforward',
    // CNNs: the blocks, and the chosen sample's maps (server/conv_run.py).
    cnn: header.model === 'cnn' ? cnnOf(header, arrays, layers) : null,
    // Recurrent runs: {cell, blocks, readout, length, window, radius, radii, alphabet?} and their arrays.
    sequence: recurrent ? sequence || null : null,
    rnn: recurrent ? recurrentOf(arrays) : null,
    problem: header.problem || null,
    inputs: header.inputs || null,
    step: header.step,
    run: header.run, // changes on reset/rebuild
    configVersion: header.config_version,
    running: !!header.running,
    columns,
    metrics: metrics || {},
    // Plain-word warnings about the last steps: [{code, layer, value, message}].
    warnings: Array.isArray(warnings) ? warnings : [],
    // {first_to_last, window}: the numbers the warnings are judged on.
    health: health || null,
    layers,
    grid: {
      res: header.grid ? header.grid.res : 0,
      nodeRes: header.grid ? header.grid.node_res : 0,
      extent: header.grid ? header.grid.extent : [-6, 6, -6, 6],
      output: output ? output.data : null,
      // [res, res] for one output; [K, res, res] class probabilities for multiclass.
      outputClasses: output && output.shape.length === 3 ? output.shape[0] : 1,
      nodes: columns.map((_, j) => get(`grid.nodes${j}`)),
    },
    // Line inputs: the network's prediction along x.
    curve: curveX && curveY ? { x: curveX, y: curveY, n: Math.min(curveX.length, curveY.length) } : null,
    // Multiclass: counts [K, K], rows = true class, columns = predicted.
    confusion: confusion ? { data: confusion.data, k: confusion.shape[0] } : null,
    // Image inputs: predicted label [S] and class probabilities [S, K] of the sample images.
    samples: pred ? { pred, prob: prob ? prob.data : null, k: prob ? prob.shape[1] : 0 } : null,
    history: historyOf(header, arrays),
  };
}

// Client -> server messages.
export const msg = {
  // watch: a student's page, which waits for a session rather than starting its own.
  // name: a watcher's name for the presenter's list (optional).
  join: (session, token, config, watch = false, name = null) => ({
    type: 'join', session: session || null, token: token || null, config: config || null, watch: !!watch,
    ...(watch && name ? { name } : {}),
  }),
  // The students' screens: presentation mode and the panels hidden (hello.panels' names).
  pace: (present, hide) => ({ type: 'pace', present: !!present, hide: [...hide] }),
  play: () => ({ type: 'play' }),
  pause: () => ({ type: 'pause' }),
  step: (n = 1) => ({ type: 'step', n }),
  reset: () => ({ type: 'reset' }),
  regenerate: () => ({ type: 'regenerate' }),
  preset: (name) => ({ type: 'preset', name }),
  // Fine-tuning: the other task of the same images, keeping the layers that fit; freeze: those layers.
  continue: (task, freeze = false) => ({ type: 'continue', task, freeze: !!freeze }),
  // Explain a step: any of on, sample, stage, weight ([layer, i, j] or null).
  explain: (fields) => ({ type: 'explain', ...fields }),
  set: (config, id) => (id === undefined ? { type: 'set', config } : { type: 'set', config, id }),
};
