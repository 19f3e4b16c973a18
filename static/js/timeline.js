// The timeline under the loss chart: drag it back and the server sends the frame of the kept
// step there (its weights, predictions and metrics, computed by the server: the page draws
// them as any frame); "Live" (or Escape) returns to the live run, "Continue from here" starts
// a new run from the step shown. Viewers' timelines follow the presenter's and cannot be moved.
// docs/protocol.md, "Timeline: replay and continue from here".

import { DomWriter, Paced } from './domwrites.js';

const SEND_EVERY_MS = 50; // at most 20 scrubs a second: under the server's message rate limit

/** The step a slider value asks for: null (live) at its right end. */
export function scrubStep(value, live) {
  return value >= live ? null : Math.max(0, Math.round(value));
}

/** What the label says: the step shown and how far the run has gone, or "live". */
export function timelineLabel(replay, live) {
  if (!replay || replay.step === null || replay.step === undefined) return `live · step ${live.toLocaleString('en')}`;
  return `step ${replay.step.toLocaleString('en')} of ${live.toLocaleString('en')}`;
}

/** The slider's title: how the kept steps are spaced, in the server's words. */
export function keptNote(replay) {
  if (!replay) return 'Drag back through training: the server shows the step kept there';
  const every = replay.every === 1 ? 'every step' : `every ${replay.every.toLocaleString('en')} steps`;
  return `Steps kept from ${replay.first.toLocaleString('en')}, ${every} (older ones thin out as training goes on)`;
}

export class Timeline {
  /** el: the strip; send(message); isController(): whether this page may move it. */
  constructor(el, { send, isController, clock }) {
    this.el = el;
    this.dom = new DomWriter();
    this.paced = new Paced((frame) => this.draw(frame), clock); // live and playing: the strip moves 5 times a second
    this.send = send;
    this.isController = isController;
    this.range = el.querySelector('input[type=range]');
    this.label = el.querySelector('.timeline-label');
    this.liveButton = el.querySelector('.timeline-live');
    this.continueButton = el.querySelector('.timeline-continue');
    this.note = el.querySelector('.timeline-note');
    this.live = 0; // the live step: the slider's right end
    this.run = undefined;
    this.replay = null; // the shown frame's `replay`, while a kept step is shown
    this.held = false; // the pointer holds the slider: frames do not move it
    this.wanted = undefined; // the last step asked for (null: live), sent at most every SEND_EVERY_MS
    this.timer = null;
    this.range.addEventListener('input', () => this.ask(scrubStep(Number(this.range.value), this.live)));
    this.range.addEventListener('pointerdown', () => { this.held = true; });
    this.range.addEventListener('pointerup', () => { this.held = false; });
    this.range.addEventListener('keydown', (e) => {
      e.stopPropagation(); // its arrows move the slider, not the run (toolbar.js: → is one step)
      if (e.key === 'Escape') this.ask(null);
    });
    this.liveButton.addEventListener('click', () => this.ask(null));
    this.continueButton.addEventListener('click', () => {
      if (this.replay && this.isController()) this.send({ type: 'continue_from', step: this.replay.step });
    });
  }

  /** Ask the server for a step (null: live); a fast drag sends its latest position at a steady rate. */
  ask(step) {
    if (!this.isController()) return;
    this.wanted = step;
    if (this.timer !== null) return;
    this.flush();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.wanted !== this.sent) this.flush();
      this.mark();
    }, SEND_EVERY_MS);
    this.mark();
  }

  /** data-pending: a position asked for is not shown yet (what the browser test waits on). */
  mark() {
    const answered = this.sent === undefined || (this.replay && this.replay.asked === this.sent);
    this.dom.set(this.el, 'data-pending', String(this.timer !== null || !answered));
  }

  flush() {
    this.sent = this.wanted;
    this.send({ type: 'scrub', step: this.wanted });
  }

  update(frame) {
    this.replay = frame.replay || null;
    if (!this.replay) {
      this.live = frame.step;
      this.sent = undefined;
    } else if (frame.run !== this.run) {
      this.live = Math.max(this.live, frame.step); // a page joining during a scrub
    }
    this.run = frame.run;
    this.paced.offer(frame);
  }

  draw(frame) {
    const { dom } = this;
    const controller = this.isController();
    const replay = this.replay;
    dom.setHidden(this.el, frame.model === 'recurrent'); // recurrent runs are not kept (server/replay.py)
    dom.set(this.range, 'max', String(this.live));
    dom.set(this.range, 'min', String(replay ? replay.first : 0));
    // The pointer holds the slider: frames do not move it (written directly: a drag moves it too).
    if (!this.held || !controller) this.range.value = String(replay ? replay.step : this.live);
    dom.set(this.range, 'disabled', !controller || this.live === 0);
    dom.set(this.range, 'title', controller ? keptNote(replay) : "Follows the presenter's timeline");
    dom.setText(this.label, timelineLabel(replay, this.live));
    dom.set(this.el, 'data-replay', String(!!replay));
    this.mark();
    dom.setHidden(this.liveButton, !replay || !controller);
    dom.setHidden(this.continueButton, !replay || !controller);
    dom.setHidden(this.note, !replay || !controller);
    if (replay) {
      dom.set(this.continueButton, 'title', `A new run from step ${replay.step}'s weights; ${replay.optimizer}`);
      dom.setText(this.note, 'optimizer state restarts');
      dom.set(this.note, 'title', `Continuing from here: ${replay.optimizer}`);
    }
  }
}
