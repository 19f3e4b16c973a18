// Writing the page's text cheaply. Each text, `hidden` or attribute write makes Chromium
// restyle, lay out and repaint (about 3.5 ms a paint for the numbers beside the loss, when
// every frame rewrote them), so panels write only what changed (DomWriter), and while a run
// plays they write once per TEXT_PERIOD_MS tick at most, the same ticks for every panel
// (Paced): numbers changing 30 times a second are more than anyone reads. A frame that is
// not playing (a pause, a single step, a divergence) is written at once, so a stopped run
// always shows its own last numbers.

export const TEXT_PERIOD_MS = 200;

/** Writes text, `hidden` and attributes to elements only when they differ from what it wrote last. */
export class DomWriter {
  constructor() {
    this.written = new Map(); // element -> {text, hidden, attribute: value, ...}
  }

  last(el) {
    if (!this.written.has(el)) this.written.set(el, {});
    return this.written.get(el);
  }

  setText(el, text) {
    const last = this.last(el);
    if (last.text === text) return;
    last.text = text;
    // A text node's data changed in place: Chromium lays the line out again without
    // restyling the element or rebuilding its layout objects, as textContent would.
    const node = el.firstChild;
    if (node && node === el.lastChild && node.nodeType === 3) node.data = text;
    else el.textContent = text;
  }

  setHidden(el, hidden) {
    const last = this.last(el);
    if (last.hidden === hidden) return;
    last.hidden = hidden;
    el.hidden = hidden;
  }

  /** A property (value, max, disabled, title) or a data-* entry ('data-replay'). */
  set(el, name, value) {
    const last = this.last(el);
    if (last[`@${name}`] === value) return;
    last[`@${name}`] = value;
    if (name.startsWith('data-')) el.dataset[name.slice(5).replace(/-(\w)/g, (_, c) => c.toUpperCase())] = value;
    else el[name] = value;
  }
}

// The page's clock for Paced: every write due at the same tick runs in one timer task, so the
// texts of all panels (the numbers, the timeline) change together and cost one layout, where
// a timer each drifted apart and cost a layout each (about 1.2 ms a layout, 5 times a second).
const ticks = new Map(); // tick -> the writes due at it

function later(fn, ms, tick) {
  let due = ticks.get(tick);
  if (!due) {
    due = new Set();
    ticks.set(tick, due);
    setTimeout(() => {
      ticks.delete(tick);
      for (const f of due) f();
    }, ms);
  }
  const entry = () => fn();
  due.add(entry);
  return { tick, entry };
}

function cancel(handle) {
  ticks.get(handle.tick)?.delete(handle.entry);
}

/** Calls write(frame) for the newest frame once per TEXT_PERIOD_MS tick at most while frames play. */
export class Paced {
  constructor(write, { now = () => performance.now(), later: after = later, cancel: drop = cancel } = {}) {
    this.write = write;
    this.clock = { now, later: after, cancel: drop };
    this.tick = -Infinity; // the TEXT_PERIOD_MS tick of the last write
    this.latest = null; // the newest frame, written when the timer fires
    this.timer = null;
  }

  offer(frame) {
    this.latest = frame;
    if (!frame.running || this.tick === -Infinity) { this.now(frame); return; }
    if (this.timer !== null) return;
    // Writes fall on the clock's TEXT_PERIOD_MS ticks, one per tick at most, the same ticks for
    // every Paced, and go through the timer even when late, so that writers due at one tick
    // share its task (later, above). A timer's write counts for its tick, or the clock's if
    // that is later (after a pause): a timer run a little early does not take the next one.
    const next = this.tick + 1;
    const wait = Math.max(0, next * TEXT_PERIOD_MS - this.clock.now());
    const tick = () => Math.max(next, Math.floor(this.clock.now() / TEXT_PERIOD_MS));
    this.timer = this.clock.later(() => this.now(this.latest, tick()), wait, next);
  }

  /** Write this frame at once (and drop a pending one); tick: the one it is written for. */
  now(frame, tick = Math.floor(this.clock.now() / TEXT_PERIOD_MS)) {
    if (this.timer !== null) this.clock.cancel(this.timer);
    this.timer = null;
    this.tick = tick;
    this.write(frame);
  }
}
