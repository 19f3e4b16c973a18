// "Continue on a new task" (fine-tuning): on digits or bars, the network goes on to another
// task of the same images (config.task: the other half of the classes) keeping every layer
// whose shape fits, its output layer drawn afresh; "freeze" fine-tunes the head only. The
// tasks, their labels and where they apply are the schema's `task` field; the server does
// the rest (the `continue` command) and says what it kept.

import { msg } from './protocol.js';
import { isShown } from './controls/plan.js';

export class ContinueControl {
  constructor(page) {
    this.page = page;
    this.box = page.$('#cnn-continue');
    this.menu = page.$('#continue-task');
    this.freeze = page.$('#continue-freeze');
    this.button = page.$('#btn-continue');
    this.key = '';
    this.button.addEventListener('click', () => {
      if (page.state.isController && this.menu.value) page.send(msg.continue(this.menu.value, this.freeze.checked));
    });
    page.state.on('config', (config) => this.render(config));
    page.state.on('role', () => this.render(page.state.effectiveConfig()));
  }

  /** The other tasks of the schema's field, while it applies to the dataset. */
  render(config) {
    const field = this.page.state.field('task');
    const shown = !!field && isShown(field, config);
    this.box.hidden = !shown;
    if (!shown) return;
    const others = (field.choices || []).filter((c) => c.value !== config.task);
    const key = JSON.stringify(others.map((c) => c.value));
    if (key !== this.key) {
      this.key = key;
      this.menu.replaceChildren(...others.map((c) => {
        const o = new Option(c.label.replace(/^./, (ch) => ch.toLowerCase()), c.value);
        o.title = c.help || '';
        return o;
      }));
      // The usual next step: from one half to the other.
      const other = others.find((c) => c.value !== 'all');
      if (other && config.task !== 'all') this.menu.value = other.value;
    }
    const enabled = this.page.state.isController;
    for (const el of [this.menu, this.freeze, this.button]) el.disabled = !enabled;
  }
}
