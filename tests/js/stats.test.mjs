// The stats panel shows the server's numbers, each in its own place: a train/test swap,
// run B's numbers in run A's place, or a stale learning rate would be a false number on
// the projector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsPanel } from '../../static/js/stats.js';
import { fmt, percent } from '../../static/js/format.js';

function panel(config = { clip: 'none' }) {
  const els = new Map();
  const container = {
    querySelector(sel) {
      const id = sel.slice(1);
      if (!els.has(id)) els.set(id, { id, textContent: '', hidden: false });
      return els.get(id);
    },
  };
  const step = { textContent: '' };
  const stats = new StatsPanel(container, { step, config: () => config });
  return { stats, step, text: (id) => els.get(id).textContent, hidden: (id) => els.get(id).hidden };
}

const frame = (metrics, extra = {}) => ({
  step: 42, metrics, history: { learningRate: Float32Array.of(0.1, 0.05) }, ...extra,
});

test('losses, accuracy and learning rate land in their own boxes', () => {
  const p = panel();
  p.stats.update(frame({ train_loss: 0.123456, test_loss: 0.654321, train_accuracy: 0.9, test_accuracy: 0.75 }));
  assert.equal(p.step.textContent, '42');
  assert.equal(p.text('stat-train-loss'), fmt(0.123456, 4));
  assert.equal(p.text('stat-test-loss'), fmt(0.654321, 4));
  assert.equal(p.text('stat-train-acc'), percent(0.9));
  assert.equal(p.text('stat-test-acc'), percent(0.75));
  assert.equal(p.hidden('acc-stats'), false);
  assert.equal(p.hidden('r2-stats'), true);
  assert.equal(p.text('stat-lr'), fmt(0.05, 3)); // the newest step's rate, not the first
});

test('regression shows R² for train and test, and no accuracy', () => {
  const p = panel();
  p.stats.update(frame({ train_loss: 1, test_loss: 2, train_r2: 0.81, test_r2: 0.64 }));
  assert.equal(p.text('stat-train-r2'), fmt(0.81, 3));
  assert.equal(p.text('stat-test-r2'), fmt(0.64, 3));
  assert.equal(p.hidden('acc-stats'), true);
  assert.equal(p.hidden('r2-stats'), false);
});

test('clipped steps show only while clipping is on; run B has its own numbers', () => {
  const off = panel({ clip: 'none' });
  off.stats.update(frame({ train_loss: 1, test_loss: 1, clipped_steps: 3 }));
  assert.equal(off.hidden('clip-stats'), true);
  assert.equal(off.hidden('stats-b'), true);
  const on = panel({ clip: 'norm' });
  const b = { metrics: { train_loss: 0.5, train_accuracy: 0.6 } };
  on.stats.update(frame({ train_loss: 0.25, test_loss: 0.3, train_accuracy: 0.7, clipped_steps: 3 }, { b }));
  assert.equal(on.hidden('clip-stats'), false);
  assert.equal(on.text('stat-clipped'), '3');
  assert.equal(on.hidden('stats-b'), false);
  assert.equal(on.text('stat-b-train-loss'), fmt(0.5, 4));
  assert.equal(on.text('stat-b-acc'), percent(0.6));
  assert.equal(on.text('stat-train-loss'), fmt(0.25, 4));
});
