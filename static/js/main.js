// Wiring: socket messages -> state and history -> widgets, at most one paint
// per animation frame; user input -> state -> commands.

import { decodeMessage, msg } from './protocol.js';
import { State, fitsSchema, parseValue, sameValue } from './state.js';
import { Connection } from './socket.js';
import { History } from './history.js';
import { Controls } from './controls.js';
import { NetworkDiagram } from './network.js';
import { OutputPlot } from './output.js';
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
const output = new OutputPlot($('#output .canvas-box'));
const loss = new LossChart($('#loss .canvas-box'), history);
const gradients = new GradientHeatmap($('#gradients .canvas-box'), history);
const widgets = [network, output, loss, gradients];
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

// --- drawing -----------------------------------------------------------------

function schedule() {
  if (dirty) return;
  dirty = true;
  requestAnimationFrame(() => {
    dirty = false;
    if (!latest) return;
    const t0 = performance.now();
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

function showStats(frame) {
  const m = frame.metrics;
  $('#stat-step').textContent = String(frame.step);
  $('#stat-train-loss').textContent = fmt(m.train_loss, 4);
  $('#stat-test-loss').textContent = fmt(m.test_loss, 4);
  const hasAcc = m.train_accuracy !== undefined && m.train_accuracy !== null;
  $('#acc-stats').hidden = !hasAcc;
  $('#stat-train-acc').textContent = hasAcc ? percent(m.train_accuracy) : '–';
  $('#stat-test-acc').textContent = hasAcc ? percent(m.test_accuracy) : '–';
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
      output.setDataset(m);
      network.setProblem(m.problem);
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
      break;
    case 'error':
      banner.showError(`${m.field ? m.field.replace(/^config\./, '') + ': ' : ''}${m.message}`);
      state.rejectPending();
      break;
    default: break;
  }
}

function onHello(hello) {
  const created = hello.session !== requestedSession;
  state.applyHello(hello);
  conn.resetBackoff();
  controls.build(state.schema);
  controls.render(state.effectiveConfig());
  document.body.dataset.connected = 'true';
  history.clear();
  // The hash was parsed before the schema was known; now compare typed values
  // and correct a freshly created session so the link reproduces its setup.
  if (created && state.isController) {
    const fix = {};
    for (const [key, raw] of new URLSearchParams(pendingHash)) {
      const f = state.field(key);
      if (!f) continue;
      const v = parseValue(raw, f, true);
      if (v !== undefined && fitsSchema(f, v) && !sameValue(v, state.config[key])) fix[key] = v;
    }
    if (Object.keys(fix).length) state.edit(fix);
  }
  pendingHash = '';
  requestedSession = state.session;
}

// --- state -> page -----------------------------------------------------------

state.on('config', (config) => controls.render(config));

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

$('#link-mode').addEventListener('change', (e) => state.setView({ linkMode: e.target.value }));
$('#loss-scale').addEventListener('click', () => state.setView({ lossScale: state.view.lossScale === 'log' ? 'linear' : 'log' }));
$('#show-test').addEventListener('change', (e) => state.setView({ showTest: e.target.checked }));
state.on('view', (v) => {
  network.setMode(v.linkMode);
  loss.setScale(v.lossScale);
  output.setShowTest(v.showTest);
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
