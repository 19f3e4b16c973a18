// Wiring: socket messages -> state and history -> widgets, at most one paint
// per animation frame; user input -> state -> commands.

import { decodeMessage, msg } from './protocol.js';
import { State, fitsSchema, parseValue, sameValue } from './state.js';
import { Connection } from './socket.js';
import { History } from './history.js';
import { Controls } from './controls.js';
import { NetworkDiagram } from './network.js';
import { OutputPlot } from './output.js';
import { CurvePlot } from './curve.js';
import { DigitGallery } from './digits.js';
import { ConfusionMatrix } from './confusion.js';
import { LossChart } from './loss.js';
import { GradientHeatmap } from './gradients.js';
import { Tooltip } from './tooltip.js';
import { Banner } from './banner.js';
import { fmt, percent } from './format.js';

const $ = (sel) => document.querySelector(sel);

const state = new State();
const history = new History();
const banner = new Banner($('#banner'), $('#notice'));
const tooltip = new Tooltip($('#tooltip'));
const network = new NetworkDiagram($('#network .canvas-box'), { tooltip });
const output = new OutputPlot($('#output [data-view=plane]'));
const curve = new CurvePlot($('#output [data-view=line]'));
const gallery = new DigitGallery($('#digits'));
const confusion = new ConfusionMatrix($('#confusion'));
const loss = new LossChart($('#loss .canvas-box'), history);
const gradients = new GradientHeatmap($('#gradients .canvas-box'), history);
// The output panel shows one view, chosen by the inputs of the data (frame.inputs).
const outputViews = { plane: [output], line: [curve], image: [gallery, confusion] };
const datasetWidgets = [output, curve, gallery, confusion];
let view = null;
let widgets = [];
let dataset = null;
const controls = new Controls(
  { data: $('#controls-data'), features: $('#controls-features'), network: $('#controls-network'),
    training: $('#controls-training'), playback: $('#controls-playback'), default: $('#controls-training') },
  { header: $('#layer-header'), strip: $('#layer-strip') },
  (partial) => state.edit(partial),
);

const debug = { lastFrameStep: null, drawMs: 0, maxDrawMs: 0, paints: 0, widgetMs: {}, widgetMaxMs: {} };
let pendingHash = location.hash.slice(1); // raw hash, re-read with types once the schema is known
let latest = null; // only the newest frame is drawn
let dirty = false;
let requestedSession = null;
let requestedConfig = {};
// Fields of the link that onHello re-sent with their schema types: the join's guess
// at them (e.g. "hidden=8" read as a number, not a list) may have been refused.
let linkFields = new Set();

// --- drawing -----------------------------------------------------------------

function schedule() {
  if (dirty) return;
  dirty = true;
  requestAnimationFrame(() => {
    dirty = false;
    if (!latest) return;
    const t0 = performance.now();
    showView(latest.inputs || (dataset && dataset.inputs) || 'plane');
    showStats(latest); // first: it can change the layout the canvases are fitted to
    for (const w of widgets) {
      const t = performance.now();
      w.update(latest);
      const ms = performance.now() - t;
      debug.widgetMs[w.constructor.name] = ms;
      debug.widgetMaxMs[w.constructor.name] = Math.max(ms, debug.widgetMaxMs[w.constructor.name] || 0);
    }
    debug.drawMs = performance.now() - t0;
    debug.maxDrawMs = Math.max(debug.maxDrawMs, debug.drawMs);
    debug.paints += 1;
  });
}

/** Switch the output panel (and the page layout) between plane, line and image data. */
function showView(name) {
  if (!(name in outputViews)) name = 'plane';
  if (name === view) return;
  view = name;
  document.body.dataset.view = name;
  for (const box of document.querySelectorAll('#output .output-view')) box.hidden = box.dataset.view !== name;
  $('#show-test-label').hidden = name === 'image'; // the gallery is test images already
  widgets = [network, ...outputViews[name], loss, gradients];
}

function showFeaturesNote(config) {
  const f = state.field('dataset');
  const choice = f && (f.choices || []).find((c) => c.value === config.dataset);
  const note = $('#features-note');
  let text = '';
  if (choice && choice.inputs === 'image') {
    const shape = dataset && dataset.inputs === 'image' && dataset.imageShape;
    text = shape ? `inputs: the ${shape[0] * shape[1]} pixels (${shape[0]}×${shape[1]})` : 'inputs: the image’s pixels';
  } else if (choice && choice.inputs === 'line') {
    text = 'one input, x₁: features of x₂ do not apply';
  }
  note.hidden = !text;
  note.textContent = text;
}

function showStats(frame) {
  const m = frame.metrics;
  $('#stat-step').textContent = String(frame.step);
  $('#stat-train-loss').textContent = fmt(m.train_loss, 4);
  $('#stat-test-loss').textContent = fmt(m.test_loss, 4);
  const hasAcc = m.train_accuracy !== undefined && m.train_accuracy !== null;
  $('#acc-stats').hidden = !hasAcc;
  $('#stat-train-acc').textContent = hasAcc ? percent(m.train_accuracy) : '–';
  $('#stat-test-acc').textContent = hasAcc ? percent(m.test_accuracy) : '–';
  const hasR2 = m.train_r2 !== undefined && m.train_r2 !== null;
  $('#r2-stats').hidden = !hasR2;
  $('#stat-train-r2').textContent = hasR2 ? fmt(m.train_r2, 3) : '–';
  $('#stat-test-r2').textContent = hasR2 ? fmt(m.test_r2, 3) : '–';
  const rates = frame.history && frame.history.learningRate;
  if (rates && rates.length) $('#stat-lr').textContent = fmt(rates[rates.length - 1], 3);
  const clipping = state.effectiveConfig().clip;
  $('#clip-stats').hidden = !clipping || clipping === 'none';
  $('#stat-clipped').textContent = String(m.clipped_steps ?? 0);
}

const resizes = new ResizeObserver(schedule);
for (const box of document.querySelectorAll('.canvas-box')) resizes.observe(box);

// --- connection --------------------------------------------------------------

Object.defineProperty(window, 'backpropLab', {
  value: Object.freeze({
    get lastFrameStep() { return debug.lastFrameStep; },
    get config() { return { ...state.config }; },
    get role() { return state.role; },
    get session() { return state.session; },
    get drawMs() { return debug.drawMs; },
    get maxDrawMs() { return debug.maxDrawMs; },
    get paints() { return debug.paints; },
    get widgetMs() { return { ...debug.widgetMs }; },
    get widgetMaxMs() { return { ...debug.widgetMaxMs }; },
    // What the diagram shows: each column's activation in the last drawn frame (input: null).
    get columnActivations() { return network.frame ? network.frame.columns.map((c) => c.activation ?? null) : null; },
    // The learning rate of every step the loss chart holds: {first, values}.
    get learningRates() {
      const s = history.learningRate;
      return { first: s.base, values: Array.from(s.values.subarray(0, s.length)) };
    },
  }),
});

const conn = new Connection({
  onOpen() {
    conn.send(msg.join(state.session, state.token, state.configVersion !== null ? state.config : requestedConfig));
  },
  onText: handleText,
  onBinary(buffer) {
    const m = decodeMessage(buffer);
    if (!m) return;
    if (m.kind === 'dataset') {
      dataset = m;
      for (const w of datasetWidgets) w.setDataset(m);
      network.setDataset(m);
      showFeaturesNote(state.effectiveConfig());
    } else {
      history.add(m);
      latest = m;
      debug.lastFrameStep = m.step;
    }
    schedule();
  },
  onClose() {
    state.setConnected(false);
    document.body.dataset.connected = 'false';
  },
});

function handleText(m) {
  switch (m.type) {
    case 'hello': onHello(m); break;
    case 'config':
      state.applyConfig(m);
      if (m.notice) banner.flash(m.notice, 6000); // e.g. the optimizer's state restarted
      if (m.rebuilt) {
        history.clear();
        banner.setDiverged(null);
        banner.flash('new network');
      }
      break;
    case 'state':
      state.applyRunState(m);
      // Why a run stopped by itself (early stopping); divergence has its own banner.
      if (m.message && m.diverged_at === null) banner.flash(m.message, 10000);
      break;
    case 'error':
      if (isRetriedLinkError(m)) break;
      banner.showError(`${m.field ? m.field.replace(/^config\./, '') + ': ' : ''}${m.message}`);
      state.rejectPending();
      break;
    default: break;
  }
}

/** The join's "default was used" for a link field that onHello has sent again, typed. */
function isRetriedLinkError(m) {
  const name = typeof m.field === 'string' ? m.field.replace(/^config\./, '').replace(/\[.*$/, '') : '';
  return linkFields.has(name) && /default was used/.test(m.message || '');
}

function onHello(hello) {
  const created = hello.session !== requestedSession;
  state.applyHello(hello);
  conn.resetBackoff();
  controls.build(state.schema);
  placeNewSeed();
  controls.render(state.effectiveConfig());
  document.body.dataset.connected = 'true';
  history.clear();
  // The hash was parsed before the schema was known; now compare typed values
  // and correct a freshly created session so the link reproduces its setup.
  linkFields = new Set();
  if (created && state.isController) {
    const fix = {};
    const bad = [];
    for (const [key, raw] of new URLSearchParams(pendingHash)) {
      const f = state.field(key);
      if (!f) continue;
      const v = parseValue(raw, f, true);
      if (v === undefined) continue;
      linkFields.add(key);
      if (sameValue(v, state.config[key])) continue;
      if (fitsSchema(f, v)) fix[key] = v;
      else bad.push({ [key]: v });
    }
    if (Object.keys(fix).length) state.edit(fix);
    // A value out of range goes alone, so the server's error names it precisely
    // and the link's good values are kept.
    for (const partial of bad) conn.send(msg.set(partial));
  }
  pendingHash = '';
  requestedSession = state.session;
}

// --- state -> page -----------------------------------------------------------

state.on('config', (config) => { controls.render(config); showFeaturesNote(config); });

state.on('edit', (partial) => conn.send(msg.set(partial)));

state.on('role', (role) => {
  const controller = role === 'controller';
  $('#role').textContent = controller ? 'controller' : 'watching';
  $('#role').dataset.role = controller ? 'controller' : 'watching';
  controls.setEnabled(controller);
  for (const b of document.querySelectorAll('.cmd')) b.disabled = !controller;
  const link = $('#share-link');
  link.href = state.shareUrl();
  $('#share').hidden = false;
});

state.on('run', (s) => {
  $('#btn-play').textContent = s.running ? 'Pause' : 'Play';
  $('#btn-play').dataset.running = String(s.running);
  banner.setDiverged(s.divergedAt);
});

state.on('connected', (connected) => {
  // Nothing can be sent while away; the rejoin's hello enables controls again.
  if (!connected) {
    controls.setEnabled(false);
    for (const b of document.querySelectorAll('.cmd')) b.disabled = true;
    $('#conn').textContent = 'reconnecting…';
  }
});

// --- user input --------------------------------------------------------------

function command(name) {
  if (!state.isController) return;
  if (name === 'play') conn.send(state.running ? msg.pause() : msg.play());
  else if (name === 'step') conn.send(msg.step(1));
  else if (name === 'reset') conn.send(msg.reset());
  else if (name === 'regenerate') conn.send(msg.regenerate());
}

$('#btn-play').addEventListener('click', () => command('play'));
$('#btn-step').addEventListener('click', () => command('step'));
$('#btn-reset').addEventListener('click', () => command('reset'));
$('#btn-regenerate').addEventListener('click', () => command('regenerate'));

// "new seed": a fresh random seed through the normal edit path (validated by the
// server, mirrored into the link); Reset draws the same weights again from the seed.
const newSeed = document.createElement('button');
newSeed.id = 'btn-new-seed';
newSeed.type = 'button';
newSeed.className = 'cmd small';
newSeed.textContent = 'new seed';
newSeed.title = 'Draw a new random seed: new initial weights and batch order (the data stay)';
newSeed.addEventListener('click', () => {
  const f = state.field('seed');
  if (!f || !state.isController) return;
  const lo = Number.isFinite(f.min) ? f.min : 0;
  const hi = Number.isFinite(f.max) ? f.max : 2 ** 31 - 1; // exclusive
  const current = state.effectiveConfig().seed;
  let seed = current;
  while (seed === current) seed = lo + Math.floor(Math.random() * (hi - lo));
  state.edit({ seed });
});

/** Beside the Seed control, which the schema builds (again on a new schema). */
function placeNewSeed() {
  const wrap = controls.wrapOf('seed');
  if (!wrap) { newSeed.remove(); return; }
  wrap.appendChild(newSeed);
  newSeed.disabled = !state.isController;
}

$('#link-mode').addEventListener('change', (e) => state.setView({ linkMode: e.target.value }));
$('#loss-scale').addEventListener('click', () => state.setView({ lossScale: state.view.lossScale === 'log' ? 'linear' : 'log' }));
$('#show-test').addEventListener('change', (e) => state.setView({ showTest: e.target.checked }));
state.on('view', (v) => {
  network.setMode(v.linkMode);
  loss.setScale(v.lossScale);
  output.setShowTest(v.showTest);
  curve.setShowTest(v.showTest);
  $('#loss-scale').textContent = v.lossScale === 'log' ? 'scale: log' : 'scale: linear';
  $('#loss-scale').dataset.scale = v.lossScale;
  $('#loss-scale').setAttribute('aria-pressed', String(v.lossScale === 'log'));
});

$('#share-copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(state.shareUrl());
    banner.flash('link copied');
  } catch {
    prompt('Copy this link for students:', state.shareUrl());
  }
});

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (isTyping(e.target)) return;
  if (e.key === ' ') { e.preventDefault(); command('play'); }
  else if (e.key === 'ArrowRight') { e.preventDefault(); command('step'); }
  else if (e.key === 'r' || e.key === 'R') { e.preventDefault(); command('reset'); }
});

/** Keys belong to the control when it uses them itself (text, numbers, sliders, menus). */
function isTyping(t) {
  if (!(t instanceof Element)) return false;
  if (t.closest('textarea, select, [contenteditable=""], [contenteditable="true"]')) return true;
  return t instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(t.type);
}

// A hand-edited hash (another session or setup) is a new start.
addEventListener('hashchange', () => location.reload());

// --- start -------------------------------------------------------------------

({ session: requestedSession, config: requestedConfig } = state.readHash());
document.body.dataset.connected = 'false';
state.setView({});
conn.connect();
