// The numbers beside the loss chart (step, losses, accuracy or R², learning rate,
// clipped steps, and run B's loss and accuracy while comparing), from frame.metrics.
// Only what changed is written, and while a run plays at most every TEXT_PERIOD_MS, all
// from the newest frame so the numbers agree with each other (domwrites.js).

import { fmt, percent } from './format.js';
import { DomWriter, Paced } from './domwrites.js';

export { TEXT_PERIOD_MS } from './domwrites.js';

export class StatsPanel {
  /** container: the loss panel's .stats row; step: the top bar's counter; config(): the config shown. */
  constructor(container, { step, config, clock }) {
    const el = (id) => container.querySelector(`#${id}`);
    this.step = step;
    this.config = config;
    this.paced = new Paced((frame) => this.write(frame), clock);
    this.dom = new DomWriter();
    this.els = Object.fromEntries([
      'stat-train-loss', 'stat-test-loss', 'acc-stats', 'stat-train-acc', 'stat-test-acc', 'r2-stats',
      'stat-train-r2', 'stat-test-r2', 'stat-lr', 'clip-stats', 'stat-clipped', 'stats-b', 'stat-b-train-loss',
      'stat-b-acc-box', 'stat-b-acc',
    ].map((id) => [id, el(id)]));
  }

  update(frame) {
    this.paced.offer(frame);
  }

  write(frame) {
    const e = this.els;
    const m = frame.metrics;
    const { setText, setHidden } = bind(this.dom);
    setText(this.step, String(frame.step));
    setText(e['stat-train-loss'], fmt(m.train_loss, 4));
    setText(e['stat-test-loss'], fmt(m.test_loss, 4));
    const hasAcc = present(m.train_accuracy);
    setHidden(e['acc-stats'], !hasAcc);
    setText(e['stat-train-acc'], hasAcc ? percent(m.train_accuracy) : '–');
    setText(e['stat-test-acc'], hasAcc ? percent(m.test_accuracy) : '–');
    const hasR2 = present(m.train_r2);
    setHidden(e['r2-stats'], !hasR2);
    setText(e['stat-train-r2'], hasR2 ? fmt(m.train_r2, 3) : '–');
    setText(e['stat-test-r2'], hasR2 ? fmt(m.test_r2, 3) : '–');
    const rates = frame.history && frame.history.learningRate;
    if (rates && rates.length) setText(e['stat-lr'], fmt(rates[rates.length - 1], 3));
    const clipping = this.config().clip;
    setHidden(e['clip-stats'], !clipping || clipping === 'none');
    setText(e['stat-clipped'], String(m.clipped_steps ?? 0));
    setHidden(e['stats-b'], !frame.b);
    if (frame.b) {
      const mb = frame.b.metrics || {};
      setText(e['stat-b-train-loss'], fmt(mb.train_loss, 4));
      const accB = present(mb.train_accuracy);
      setHidden(e['stat-b-acc-box'], !accB);
      setText(e['stat-b-acc'], accB ? percent(mb.train_accuracy) : '–');
    }
  }
}

const bind = (w) => ({ setText: (el, t) => w.setText(el, t), setHidden: (el, h) => w.setHidden(el, h) });
const present = (v) => v !== undefined && v !== null;
