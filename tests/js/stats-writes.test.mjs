// The stats beside the loss chart (static/js/stats.js) write an element only when what it
// shows changed: each write costs Chromium a restyle, a layout and a repaint. These tests
// fail if a changed number is not written (the skip too eager) or if an unchanged one is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsPanel, TEXT_PERIOD_MS } from '../../static/js/stats.js';
import { fmt } from '../../static/js/format.js';

/** An element that counts writes; its text lives in one text node, as in the page. */
function fakeElement() {
  const el = { writes: 0, hiddenWrites: 0, _hidden: false };
  const node = { nodeType: 3, _data: '–', get data() { return this._data; }, set data(v) { this._data = v; el.writes += 1; } };
  el.firstChild = node;
  el.lastChild = node;
  Object.defineProperty(el, 'textContent', { get: () => node._data, set: (v) => { node._data = v; el.writes += 1; } });
  Object.defineProperty(el, 'hidden', { get: () => el._hidden, set: (v) => { el._hidden = v; el.hiddenWrites += 1; } });
  return el;
}

function panel() {
  const els = new Map();
  const container = { querySelector: (sel) => { const id = sel.slice(1); if (!els.has(id)) els.set(id, fakeElement()); return els.get(id); } };
  const step = fakeElement();
  const p = new StatsPanel(container, { step, config: () => ({ clip: 'none' }) });
  return { p, step, el: (id) => container.querySelector(`#${id}`) };
}

const frame = (step, trainLoss, acc = 0.5) => ({
  step, metrics: { train_loss: trainLoss, test_loss: 0.25, train_accuracy: acc, test_accuracy: 0.5, clipped_steps: 0 },
  history: { learningRate: [0.03] },
});

test('a changed number is written, an unchanged one is not', () => {
  const { p, step, el } = panel();
  p.update(frame(10, 0.5));
  assert.equal(step.textContent, '10');
  assert.equal(el('stat-train-loss').textContent, fmt(0.5, 4));
  const lossWrites = el('stat-train-loss').writes;
  const testWrites = el('stat-test-loss').writes;
  const accHides = el('acc-stats').hiddenWrites;
  p.update(frame(11, 0.4));
  assert.equal(step.textContent, '11');
  assert.equal(el('stat-train-loss').textContent, fmt(0.4, 4));
  assert.equal(el('stat-train-loss').writes, lossWrites + 1);
  assert.equal(el('stat-test-loss').writes, testWrites, 'the test loss did not change: not written again');
  assert.equal(el('acc-stats').hiddenWrites, accHides, 'still shown: not written again');
  p.update(frame(12, 0.4, null));
  assert.equal(el('acc-stats').hidden, true, 'no accuracy: the accuracy hides');
  assert.equal(el('stat-train-acc').textContent, '–');
});

test('a setting that shows or hides a number is followed from frame to frame', () => {
  let clip = 'none';
  const els = new Map();
  const container = { querySelector: (sel) => { const id = sel.slice(1); if (!els.has(id)) els.set(id, fakeElement()); return els.get(id); } };
  const p = new StatsPanel(container, { step: fakeElement(), config: () => ({ clip }) });
  p.update(frame(1, 0.5));
  assert.equal(els.get('clip-stats').hidden, true);
  clip = 'norm';
  p.update(frame(2, 0.5));
  assert.equal(els.get('clip-stats').hidden, false, 'clipping turned on: the clipped count shows');
  clip = 'none';
  p.update(frame(3, 0.5));
  assert.equal(els.get('clip-stats').hidden, true);
});

/** A panel on a clock the test moves, with its one pending timer to fire by hand. */
function clockedPanel() {
  const clock = { t: 0, pending: null };
  const els = new Map();
  const container = { querySelector: (sel) => { const id = sel.slice(1); if (!els.has(id)) els.set(id, fakeElement()); return els.get(id); } };
  const step = fakeElement();
  const p = new StatsPanel(container, {
    step,
    config: () => ({ clip: 'none' }),
    clock: {
      now: () => clock.t,
      later: (fn, ms) => { clock.pending = { fn, at: clock.t + ms }; return 1; },
      cancel: () => { clock.pending = null; },
    },
  });
  const advance = (ms) => {
    clock.t += ms;
    if (clock.pending && clock.pending.at <= clock.t) { const { fn } = clock.pending; clock.pending = null; fn(); }
  };
  return { p, step, advance, clock, el: (id) => container.querySelector(`#${id}`) };
}

const playing = (step, loss) => ({ ...frame(step, loss), running: true });

test('while playing, the numbers are written at most every TEXT_PERIOD_MS, the newest frame at the end of it', () => {
  const { p, step, advance, el } = clockedPanel();
  p.update(playing(1, 0.9));
  assert.equal(step.textContent, '1', 'the first frame is written at once');
  for (let s = 2; s <= 6; s += 1) {
    advance(TEXT_PERIOD_MS / 6);
    p.update(playing(s, 1 / s));
  }
  assert.equal(step.writes, 1, 'frames inside the period are not written');
  advance(TEXT_PERIOD_MS / 6);
  assert.equal(step.textContent, '6', 'the period over: the newest frame is written');
  assert.equal(el('stat-train-loss').textContent, fmt(1 / 6, 4), 'its losses with it');
  assert.equal(step.writes, 2);
});

test('a frame that is not playing is written at once, and cancels the pending write', () => {
  const { p, step, advance, clock } = clockedPanel();
  p.update(playing(1, 0.9));
  advance(10);
  p.update(playing(2, 0.8));
  assert.equal(step.textContent, '1');
  p.update(frame(3, 0.7)); // paused: the numbers the run stops on
  assert.equal(step.textContent, '3');
  assert.equal(clock.pending, null, 'nothing left to write later');
  advance(TEXT_PERIOD_MS);
  assert.equal(step.textContent, '3');
});
