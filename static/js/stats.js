// The numbers beside the loss chart (step, losses, accuracy or R², learning rate,
// clipped steps, and run B's loss and accuracy while comparing), from frame.metrics.
// Only what changed is written: each text or `hidden` write makes Chromium restyle, lay
// out and repaint the page's text, about 3 ms a paint when all of them were rewritten.
// While a run plays, the numbers change every frame, faster than anyone reads them, and
// any change costs those 3 ms: they are written at most every TEXT_PERIOD_MS (the newest
// frame's, all together, so they always agree with each other), and at once when a frame
// is not playing (a pause, a single step, a divergence), so the numbers a run stops on are
// its last.

export const TEXT_PERIOD_MS = 200;

import { fmt, percent } from './format.js';

/** Writes text and `hidden` to elements only when they differ from what it wrote last. */
export class DomWriter {
  constructor() {
    this.text = new Map();
    this.hidden = new Map();
  }

  setText(el, text) {
    if (this.text.get(el) === text) return;
    this.text.set(el, text);
    // A text node's data changed in place: Chromium lays the line out again without
    // restyling the element or rebuilding its layout objects, as textContent would.
    const node = el.firstChild;
    if (node && node === el.lastChild && node.nodeType === 3) node.data = text;
    else el.textContent = text;
  }

  setHidden(el, hidden) {
    if (this.hidden.get(el) === hidden) return;
    this.hidden.set(el, hidden);
    el.hidden = hidden;
  }
}

export class StatsPanel {
  /** container: the loss panel's .stats row; step: the top bar's counter; config(): the config shown. */
  constructor(container, { step, config, now = () => performance.now(), later = (fn, ms) => setTimeout(fn, ms), cancel = (t) => clearTimeout(t) }) {
    const el = (id) => container.querySelector(`#${id}`);
    this.step = step;
    this.config = config;
    this.clock = { now, later, cancel };
    this.wroteAt = -Infinity;
    this.latest = null; // the newest frame, written when the timer fires
    this.timer = null;
    this.dom = new DomWriter();
    this.els = Object.fromEntries([
      'stat-train-loss', 'stat-test-loss', 'acc-stats', 'stat-train-acc', 'stat-test-acc', 'r2-stats',
      'stat-train-r2', 'stat-test-r2', 'stat-lr', 'clip-stats', 'stat-clipped', 'stats-b', 'stat-b-train-loss',
      'stat-b-acc-box', 'stat-b-acc',
    ].map((id) => [id, el(id)]));
  }

  update(frame) {
    this.latest = frame;
    const { now, later } = this.clock;
    const wait = this.wroteAt + TEXT_PERIOD_MS - now();
    if (!frame.running || wait <= 0) this.write(frame);
    else if (this.timer === null) this.timer = later(() => this.write(this.latest), wait);
  }

  write(frame) {
    if (this.timer !== null) this.clock.cancel(this.timer);
    this.timer = null;
    this.wroteAt = this.clock.now();
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
