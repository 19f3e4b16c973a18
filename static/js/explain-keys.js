// "Explain a step": the keys (e turns the mode on and off; while on, ← and → go through
// the stages and n takes the next sample) and auto-advance, which only the controller's
// page runs: it asks for the next stage every few seconds; the other screens follow the
// server's messages.

import { isTyping } from './toolbar.js';

export class ExplainKeys {
  /** mode: the ExplainMode; pace: the <select> of milliseconds per stage (0: off). */
  constructor(mode, pace) {
    this.mode = mode;
    this.pace = pace;
    this.timer = null;
    pace.addEventListener('change', () => this.schedule());
    // Capture: while explaining, ← and → are the stages', not the toolbar's step.
    mode.page.root.addEventListener('keydown', (e) => this.onKey(e), { capture: true });
  }

  onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
    const { mode } = this;
    const action = e.key === 'e' || e.key === 'E' ? () => mode.toggle()
      : !mode.on ? null
        : e.key === 'ArrowLeft' ? () => mode.go(-1)
          : e.key === 'ArrowRight' ? () => mode.go(1)
            : e.key === 'n' || e.key === 'N' ? () => mode.nextSample() : null;
    if (!action) return;
    e.preventDefault();
    e.stopPropagation();
    action();
  }

  /** After each explanation: the next stage in `pace` ms, until the last stage. */
  schedule() {
    clearTimeout(this.timer);
    const { mode } = this;
    const ms = Number(this.pace.value);
    if (!ms || !mode.on || !mode.canDrive || mode.m.stage >= mode.last) return;
    this.timer = setTimeout(() => mode.go(1), ms);
  }
}
