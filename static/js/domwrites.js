// Writing the page's text cheaply. Each text, `hidden` or attribute write makes Chromium
// restyle, lay out and repaint (about 3.5 ms a paint for the numbers beside the loss, when
// every frame rewrote them), so panels write only what changed (DomWriter), and while a run
// plays they write at most every TEXT_PERIOD_MS (Paced): numbers changing 30 times a second
// are more than anyone reads. A frame that is not playing (a pause, a single step, a
// divergence) is written at once, so a stopped run always shows its own last numbers.

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

/** Calls write(frame) for the newest frame at most every TEXT_PERIOD_MS while frames play. */
export class Paced {
  constructor(write, { now = () => performance.now(), later = (fn, ms) => setTimeout(fn, ms), cancel = (t) => clearTimeout(t) } = {}) {
    this.write = write;
    this.clock = { now, later, cancel };
    this.wroteAt = -Infinity;
    this.latest = null; // the newest frame, written when the timer fires
    this.timer = null;
  }

  offer(frame) {
    this.latest = frame;
    const { now, later } = this.clock;
    const wait = this.wroteAt + TEXT_PERIOD_MS - now();
    if (!frame.running || wait <= 0) this.now(frame);
    else if (this.timer === null) this.timer = later(() => this.now(this.latest), wait);
  }

  /** Write this frame at once (and drop a pending one). */
  now(frame) {
    if (this.timer !== null) this.clock.cancel(this.timer);
    this.timer = null;
    this.wroteAt = this.clock.now();
    this.write(frame);
  }
}
