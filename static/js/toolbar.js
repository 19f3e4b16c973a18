// The top bar: play/pause, step, reset, regenerate and "new seed" (buttons and keys:
// space, →, r; Escape closes the experiments menu), the role badge and the share area
// (share.js). Only a controller sends commands; the server enforces that too.

import { msg } from './protocol.js';
import { Export } from './export.js';
import { Share } from './share.js';

export class Toolbar {
  constructor(page) {
    this.page = page;
    const { state } = page;
    this.play = page.$('#btn-play');
    for (const [id, name] of [['#btn-play', 'play'], ['#btn-step', 'step'], ['#btn-reset', 'reset'], ['#btn-regenerate', 'regenerate']]) {
      page.$(id).addEventListener('click', () => this.command(name));
    }
    this.newSeed = newSeedButton(() => this.drawSeed());
    this.share = new Share(page);
    this.export = new Export(page);
    page.root.addEventListener('keydown', (e) => this.onKey(e));
    state.on('run', (s) => {
      this.play.textContent = s.running ? 'Pause' : 'Play';
      this.play.dataset.running = String(s.running);
    });
    state.on('role', (role) => {
      const badge = page.$('#role');
      badge.textContent = role === 'controller' ? 'controller' : 'watching';
      badge.dataset.role = role === 'controller' ? 'controller' : 'watching';
      this.setEnabled(role === 'controller');
    });
    // Nothing can be sent while away; the rejoin's hello enables the buttons again.
    state.on('connected', (connected) => { if (!connected) this.setEnabled(false); });
  }

  setEnabled(enabled) {
    for (const b of this.page.$$('.cmd')) b.disabled = !enabled;
  }

  command(name) {
    const { state } = this.page;
    if (!state.isController) return;
    if (name === 'play') this.page.send(state.running ? msg.pause() : msg.play());
    else if (name === 'step') this.page.send(msg.step(1));
    else if (name === 'reset') this.page.send(msg.reset());
    else if (name === 'regenerate') this.page.send(msg.regenerate());
  }

  /** A fresh random seed through the normal edit path (validated by the server, mirrored into the link). */
  drawSeed() {
    const { state } = this.page;
    const f = state.field('seed');
    if (!f || !state.isController) return;
    state.edit({ seed: newSeed(f, state.effectiveConfig().seed, Math.random) });
  }

  onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTyping(e.target)) return;
    if (e.key === 'Escape') { this.page.experiments.close(); return; }
    if (e.target instanceof Element && e.target.closest('[role=menu]')) return; // the menu's own keys
    const name = { ' ': 'play', ArrowRight: 'step', r: 'reset', R: 'reset' }[e.key];
    if (!name) return;
    e.preventDefault();
    this.command(name);
  }
}

/** A seed in the field's range [min, max) other than the current one. */
export function newSeed(field, current, random) {
  const lo = Number.isFinite(field.min) ? field.min : 0;
  const hi = Number.isFinite(field.max) ? field.max : 2 ** 31 - 1;
  let seed = current;
  while (seed === current) seed = lo + Math.floor(random() * (hi - lo));
  return seed;
}

// Reset draws the same weights again from the seed; this button draws a new seed
// (the controls put it beside the Seed control, which the schema builds).
function newSeedButton(onClick) {
  const b = document.createElement('button');
  b.id = 'btn-new-seed';
  b.type = 'button';
  b.className = 'cmd small';
  b.textContent = 'new seed';
  b.title = 'Draw a new random seed: new initial weights and batch order (the data stay)';
  b.addEventListener('click', onClick);
  return b;
}

/** Keys belong to the control when it uses them itself (text, numbers, sliders, menus). */
export function isTyping(t) {
  if (!(t instanceof Element)) return false;
  if (t.closest('textarea, select, [contenteditable=""], [contenteditable="true"]')) return true;
  return t instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(t.type);
}
