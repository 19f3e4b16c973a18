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
import { NeuronMap } from './neurons.js';
import { Distributions } from './distributions.js';
import { LayerStats } from './layerstats.js';
import { WarningList } from './warnings.js';
import { ExperimentsMenu } from './experiments.js';
import { Tooltip } from './tooltip.js';
import { Banner } from './banner.js';
import { fmt, percent } from './format.js';

const $ = (sel) => document.querySelector(sel);

const state = new State();
const history = new History();
const historyB = new History(); // run B of a comparison (frame.b)
const banner = new Banner($('#banner'), $('#notice'));
const tooltip = new Tooltip($('#tooltip'));
const network = new NetworkDiagram($('#network .canvas-box'), { tooltip });
const output = new OutputPlot($('#output [data-run=a] [data-view=plane]'));
const curve = new CurvePlot($('#output [data-run=a] [data-view=line]'));
const gallery = new DigitGallery($('#digits'));
const confusion = new ConfusionMatrix($('#confusion'));
const outputB = new OutputPlot($('#output-b-plane'));
const curveB = new CurvePlot($('#output-b-line'));
const confusionB = new ConfusionMatrix($('#confusion-b'));
const loss = new LossChart($('#loss .canvas-box'), history);
const gradients = new GradientHeatmap($('#pane-heatmap [data-run=a] .heatmap-box'), history, { legend: false });
const gradientsB = new GradientHeatmap($('#heatmap-b'), historyB, { legend: false });
const neurons = new NeuronMap($('#neuron-map'), { tooltip });
const neuronsB = new NeuronMap($('#neuron-map-b'), { tooltip });
const distributions = new Distributions($('#distributions'), history);
const layerStats = new LayerStats($('#layer-stats'), history);
const warnings = new WarningList($('#warnings'), { heading: $('#warnings-label') });
const warningsB = new WarningList($('#warnings-b'), { heading: $('#warnings-b-label') });
// The output panel shows one view, chosen by the inputs of the data (frame.inputs).
const outputViews = { plane: [output], line: [curve], image: [gallery, confusion] };
const outputViewsB = { plane: [outputB], line: [curveB], image: [confusionB] };
const datasetWidgets = [output, curve, gallery, confusion, outputB, curveB, confusionB];
// Each tab of the gradient-health panel: the widgets it draws, per run.
const tabWidgets = {
  heatmap: { a: [gradients, neurons], b: [gradientsB, neuronsB] },
  distributions: { detail: [distributions] },
  layers: { detail: [layerStats] },
};
let view = null;
let dataset = null;
let compare = null; // {field, value} of the frame drawn, or null
let labels = { a: '', b: '' };
const controls = new Controls(
  { data: $('#controls-data'), features: $('#controls-features'), network: $('#controls-network'),
    training: $('#controls-training'), playback: $('#controls-playback'), default: $('#controls-training') },
  { header: $('#layer-header'), strip: $('#layer-strip') },
  (partial) => state.edit(partial),
);

const debug = { lastFrameStep: null, drawMs: 0, maxDrawMs: 0, paints: 0, totalDrawMs: 0, widgetMs: {}, widgetMaxMs: {}, widgetTotalMs: {}, widgetPaints: {} };
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
    showCompare(latest); // these two first: they can change the layout the canvases are fitted to
    showStats(latest);
    for (const [w, run] of paintList(latest)) {
      const frame = run === 'b' ? latest.b : latest;
      const t = performance.now();
      w.update(frame);
      const ms = performance.now() - t;
      const name = w.constructor.name + (run === 'b' ? 'B' : '');
      debug.widgetMs[name] = ms;
      debug.widgetMaxMs[name] = Math.max(ms, debug.widgetMaxMs[name] || 0);
      debug.widgetTotalMs[name] = (debug.widgetTotalMs[name] || 0) + ms;
      debug.widgetPaints[name] = (debug.widgetPaints[name] || 0) + 1;
    }
    debug.drawMs = performance.now() - t0;
    debug.maxDrawMs = Math.max(debug.maxDrawMs, debug.drawMs);
    debug.totalDrawMs += debug.drawMs;
    debug.paints += 1;
  });
}

/** Switch the output panel (and the page layout) between plane, line and image data. */
function showView(name) {
  if (!(name in outputViews)) name = 'plane';
  if (name === view) return;
  view = name;
  document.body.dataset.view = name;
  // Run B's boxes carry data-b-view, so `#output [data-view=…]` names run A's alone.
  for (const box of document.querySelectorAll('#output .output-view')) box.hidden = (box.dataset.view || box.dataset.bView) !== name;
  $('#show-test-label').hidden = name === 'image'; // the gallery is test images already
}

/** What to draw this paint, and for which run: only the visible tab's widgets. */
function paintList(frame) {
  const b = !!frame.b;
  const detail = b && state.view.netRun === 'b' ? 'b' : 'a';
  const list = [[network, detail]];
  for (const w of outputViews[view]) list.push([w, 'a']);
  if (b) for (const w of outputViewsB[view]) list.push([w, 'b']);
  list.push([loss, 'a']);
  const tab = tabWidgets[state.view.tab] || tabWidgets.heatmap;
  for (const w of tab.a || []) list.push([w, 'a']);
  if (b) for (const w of tab.b || []) list.push([w, 'b']);
  for (const w of tab.detail || []) {
    w.history = detail === 'b' ? historyB : history;
    list.push([w, detail]);
  }
  list.push([warnings, 'a']);
  if (b) list.push([warningsB, 'b']);
  return list;
}

/** Side by side: show run B's views while frames carry a comparison, labelled A and B. */
function showCompare(frame) {
  const cmp = frame.b ? frame.compare : null;
  const next = cmp ? runLabels(cmp) : { a: '', b: '' };
  const on = !!cmp;
  if (on === !!compare && next.a === labels.a && next.b === labels.b) return;
  compare = cmp;
  labels = next;
  document.body.dataset.compare = String(on);
  for (const el of document.querySelectorAll('[data-run=b]:not(button)')) el.hidden = !on;
  $('#warnings-b-box').hidden = !on;
  $('#network-run').hidden = !on;
  $('#stats-b').hidden = !on;
  for (const [el, text] of [[$('#output [data-run=a] .run-label'), next.a], [$('#output [data-run=b] .run-label'), next.b]]) {
    el.textContent = text;
    el.hidden = !text;
  }
  warnings.setLabel(next.a);
  warningsB.setLabel(next.b);
  gradients.setLabel(next.a);
  gradientsB.setLabel(next.b);
  const detail = on && state.view.netRun === 'b' ? next.b : next.a;
  distributions.setLabel(detail);
  layerStats.setLabel(detail);
  loss.setRuns(on ? [{ history, label: next.a }, { history: historyB, label: next.b }] : null);
  if (!on) { historyB.clear(); warningsB.clear(); }
}

/** "A: Sigmoid" / "B: ReLU": each run named by the setting that differs. */
function runLabels(cmp) {
  const f = state.field(cmp.field);
  const name = f ? (f.label || cmp.field) : cmp.field;
  const show = (v) => {
    if (f && f.kind === 'choice') {
      const c = (f.choices || []).find((x) => x.value === v);
      return c ? (c.label ?? String(v)) : String(v);
    }
    if (typeof v === 'number') return `${name.toLowerCase()} ${fmt(v, 3)}`;
    if (typeof v === 'boolean') return `${name.toLowerCase()} ${v ? 'on' : 'off'}`;
    return String(v);
  };
  return { a: `A: ${show(state.config[cmp.field])}`, b: `B: ${show(cmp.value)}` };
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
  if (frame.b) {
    const mb = frame.b.metrics || {};
    $('#stat-b-train-loss').textContent = fmt(mb.train_loss, 4);
    const accB = mb.train_accuracy !== undefined && mb.train_accuracy !== null;
    $('#stat-b-acc-box').hidden = !accB;
    $('#stat-b-acc').textContent = accB ? percent(mb.train_accuracy) : '–';
  }
}

const resizes = new ResizeObserver(schedule);
for (const box of document.querySelectorAll('.canvas-box')) resizes.observe(box);

// --- connection --------------------------------------------------------------

Object.defineProperty(window, 'backpropLab', {
  value: Object.freeze({
    get lastFrameStep() { return debug.lastFrameStep; },
    // The step of the last `state` message (a pause says where it stopped).
    get stateStep() { return state.step; },
    get config() { return { ...state.config }; },
    get role() { return state.role; },
    get session() { return state.session; },
    get drawMs() { return debug.drawMs; },
    // Warning codes of the last drawn frame, per run.
    get warnings() { return latest ? (latest.warnings || []).map((w) => w.code) : []; },
    get warningsB() { return latest && latest.b ? (latest.b.warnings || []).map((w) => w.code) : []; },
    get compare() { return compare ? { ...compare } : null; },
    get presets() { return experiments.presets.map((p) => ({ ...p })); },
    get experiment() { return experiments.current; },
    get maxDrawMs() { return debug.maxDrawMs; },
    get paints() { return debug.paints; },
    get widgetMs() { return { ...debug.widgetMs }; },
    get widgetMaxMs() { return { ...debug.widgetMaxMs }; },
    // Means over every paint so far (the max is often the first paint, fonts and all).
    get meanDrawMs() { return debug.paints ? debug.totalDrawMs / debug.paints : 0; },
    get widgetMeanMs() {
      return Object.fromEntries(Object.entries(debug.widgetTotalMs).map(([k, v]) => [k, v / debug.widgetPaints[k]]));
    },
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
    sendJoin();
  },
  onText: handleText,
  onBinary(buffer) {
    const m = decodeMessage(buffer);
    if (!m) return;
    if (m.kind === 'dataset') {
      dataset = m;
      for (const w of datasetWidgets) w.setDataset(m); // run B trains on the same data
      network.setDataset(m);
      showFeaturesNote(state.effectiveConfig());
    } else {
      history.add(m);
      if (m.b) historyB.add(m.b);
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

function sendJoin() {
  const config = state.configVersion !== null ? state.config : requestedConfig;
  conn.send(msg.join(state.session, state.token, config, state.watch && !state.token));
}

// A student's page whose session is not running yet (the server restarted and the
// presenter's page has not come back): ask again until it has.
let joinRetry = null;
function waitForPresenter() {
  banner.showError('waiting for the presenter: this session is not running yet');
  clearTimeout(joinRetry);
  joinRetry = setTimeout(sendJoin, 2000);
}

function handleText(m) {
  switch (m.type) {
    case 'hello': onHello(m); break;
    case 'config':
      state.applyConfig(m);
      if (m.notice) banner.flash(m.notice, 6000); // e.g. the optimizer's state restarted
      if (m.preset) experiments.show(m.preset); // the experiment just loaded: what to watch
      if (m.rebuilt) {
        history.clear();
        historyB.clear();
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
      if (m.field === 'session' && /waiting for its presenter/.test(m.message)) { waitForPresenter(); break; }
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
  historyB.clear();
  experiments.setPresets(hello.presets || []);
  // The hash was parsed before the schema was known; now compare typed values
  // and correct a freshly created session so the link reproduces its setup.
  linkFields = new Set();
  if (created && state.isController) {
    const fix = {};
    const bad = [];
    for (const [key, raw] of new URLSearchParams(pendingHash)) {
      const f = state.field(key);
      if (!f) continue;
      const v = parseValue(raw, f, true, state.schema);
      if (v === undefined) continue;
      linkFields.add(key);
      if (sameValue(v, state.config[key])) continue;
      if (fitsSchema(f, v, state.schema)) fix[key] = v;
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
  experiments.setEnabled(controller);
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
// --- gradient-health tabs, distributions, run A/B ------------------------------

const tabs = [...document.querySelectorAll('#health-tabs [role=tab]')];
tabs.forEach((tab, i) => {
  tab.addEventListener('click', () => state.setView({ tab: tab.dataset.tab }));
  // Arrow keys, Home and End move between tabs (WAI-ARIA tabs pattern), and not a step.
  tab.addEventListener('keydown', (e) => {
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    const next = tabs[(to + tabs.length) % tabs.length];
    next.focus();
    state.setView({ tab: next.dataset.tab });
  });
});
for (const b of document.querySelectorAll('.tab-tools [data-kind]')) {
  b.addEventListener('click', () => state.setView({ distKind: b.dataset.kind }));
}
for (const b of document.querySelectorAll('#network-run [data-run]')) {
  b.addEventListener('click', () => state.setView({ netRun: b.dataset.run }));
}

function showTab(name) {
  for (const tab of tabs) {
    const on = tab.dataset.tab === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $('#' + tab.getAttribute('aria-controls')).hidden = !on;
  }
  for (const tools of document.querySelectorAll('.tab-tools')) tools.hidden = tools.dataset.tab !== name;
}

const experiments = new ExperimentsMenu({
  button: $('#btn-experiments'), menu: $('#experiments-menu'), box: $('#experiment'),
  title: $('#experiment-title'), description: $('#experiment-description'), expect: $('#experiment-expect'),
  close: $('#experiment-close'),
}, (name) => { if (state.isController) conn.send(msg.preset(name)); });

state.on('view', (v) => {
  showTab(v.tab);
  distributions.setKind(v.distKind);
  for (const b of document.querySelectorAll('.tab-tools [data-kind]')) b.setAttribute('aria-pressed', String(b.dataset.kind === v.distKind));
  for (const b of document.querySelectorAll('#network-run [data-run]')) b.setAttribute('aria-pressed', String(b.dataset.run === v.netRun));
  if (compare) {
    const detail = v.netRun === 'b' ? labels.b : labels.a;
    distributions.setLabel(detail);
    layerStats.setLabel(detail);
  }
  schedule();
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
  if (e.key === 'Escape') { experiments.close(); return; }
  if (e.target instanceof Element && e.target.closest('[role=menu]')) return; // the menu's own keys
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
