// The numbers beside the loss chart (step, losses, accuracy or R², learning rate,
// clipped steps, and run B's loss and accuracy while comparing), from frame.metrics.

import { fmt, percent } from './format.js';

export class StatsPanel {
  /** container: the loss panel's .stats row; step: the top bar's counter; config(): the config shown. */
  constructor(container, { step, config }) {
    const el = (id) => container.querySelector(`#${id}`);
    this.step = step;
    this.config = config;
    this.els = Object.fromEntries([
      'stat-train-loss', 'stat-test-loss', 'acc-stats', 'stat-train-acc', 'stat-test-acc', 'r2-stats',
      'stat-train-r2', 'stat-test-r2', 'stat-lr', 'clip-stats', 'stat-clipped', 'stats-b', 'stat-b-train-loss',
      'stat-b-acc-box', 'stat-b-acc',
    ].map((id) => [id, el(id)]));
  }

  update(frame) {
    const e = this.els;
    const m = frame.metrics;
    this.step.textContent = String(frame.step);
    e['stat-train-loss'].textContent = fmt(m.train_loss, 4);
    e['stat-test-loss'].textContent = fmt(m.test_loss, 4);
    const hasAcc = present(m.train_accuracy);
    e['acc-stats'].hidden = !hasAcc;
    e['stat-train-acc'].textContent = hasAcc ? percent(m.train_accuracy) : '–';
    e['stat-test-acc'].textContent = hasAcc ? percent(m.test_accuracy) : '–';
    const hasR2 = present(m.train_r2);
    e['r2-stats'].hidden = !hasR2;
    e['stat-train-r2'].textContent = hasR2 ? fmt(m.train_r2, 3) : '–';
    e['stat-test-r2'].textContent = hasR2 ? fmt(m.test_r2, 3) : '–';
    const rates = frame.history && frame.history.learningRate;
    if (rates && rates.length) e['stat-lr'].textContent = fmt(rates[rates.length - 1], 3);
    const clipping = this.config().clip;
    e['clip-stats'].hidden = !clipping || clipping === 'none';
    e['stat-clipped'].textContent = String(m.clipped_steps ?? 0);
    e['stats-b'].hidden = !frame.b;
    if (frame.b) {
      const mb = frame.b.metrics || {};
      e['stat-b-train-loss'].textContent = fmt(mb.train_loss, 4);
      const accB = present(mb.train_accuracy);
      e['stat-b-acc-box'].hidden = !accB;
      e['stat-b-acc'].textContent = accB ? percent(mb.train_accuracy) : '–';
    }
  }
}

const present = (v) => v !== undefined && v !== null;
