// Ready-made experiments (hello.presets): a menu grouped by `group`, one click each,
// and a box with the chosen experiment's title and what to watch, until closed or
// replaced. The page only asks for a preset by name; the server owns the configs,
// and what to watch for comes with the warning the preset expects (hello.diagnostics).

import { Diagnostics } from './diagnostics.js';

export class ExperimentsMenu {
  /** els: {button, menu, box, title, description, expect, close}; onPick(name) loads a preset. */
  constructor(els, onPick) {
    this.els = els;
    this.onPick = onPick;
    this.presets = [];
    this.current = null; // name of the experiment whose box is shown
    this.enabled = true;
    this.diag = null; // from hello
    els.button.addEventListener('click', () => (els.menu.hidden ? this.open() : this.close()));
    els.close.addEventListener('click', () => this.hideBox());
    els.menu.addEventListener('click', (e) => {
      const item = e.target.closest('[data-preset]');
      if (!item) return;
      this.close();
      this.onPick(item.dataset.preset);
    });
    els.menu.addEventListener('keydown', (e) => this.onKey(e));
    document.addEventListener('pointerdown', (e) => {
      if (!els.menu.hidden && !els.menu.contains(e.target) && !els.button.contains(e.target)) this.close();
    });
    this.render();
  }

  /** The presets and the warnings' descriptions, both sent in hello. */
  setHello(hello) {
    this.diag = new Diagnostics(hello);
    this.setPresets(hello.presets || []);
  }

  setPresets(presets) {
    const list = Array.isArray(presets) ? presets.filter((p) => p && p.name) : [];
    if (JSON.stringify(list) === JSON.stringify(this.presets)) return;
    this.presets = list;
    this.render();
  }

  setEnabled(enabled) {
    this.enabled = enabled;
    this.els.button.disabled = !enabled;
    if (!enabled) this.close();
  }

  render() {
    const { menu, button } = this.els;
    button.hidden = false;
    const groups = new Map();
    for (const p of this.presets) {
      const g = p.group || 'Experiments';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(p);
    }
    const children = [];
    for (const [group, items] of groups) {
      const head = document.createElement('div');
      head.className = 'menu-group';
      head.textContent = group;
      head.setAttribute('role', 'presentation');
      children.push(head);
      for (const p of items) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'menu-item';
        b.setAttribute('role', 'menuitem');
        b.dataset.preset = p.name;
        b.title = p.description || '';
        const t = document.createElement('span');
        t.className = 'menu-item-title';
        t.textContent = p.title || p.name;
        b.appendChild(t);
        if (p.compare) {
          const note = document.createElement('span');
          note.className = 'menu-item-note';
          note.textContent = 'side by side: A and B differ in one setting';
          b.appendChild(note);
        }
        children.push(b);
      }
    }
    if (!children.length) {
      const none = document.createElement('p');
      none.className = 'menu-empty';
      none.textContent = 'This server offers no experiments.';
      children.push(none);
    }
    menu.replaceChildren(...children);
  }

  open() {
    if (!this.enabled) return;
    this.els.menu.hidden = false;
    this.els.button.setAttribute('aria-expanded', 'true');
    const first = this.items()[0];
    if (first) first.focus();
  }

  close() {
    if (this.els.menu.hidden) return;
    const hadFocus = this.els.menu.contains(document.activeElement);
    this.els.menu.hidden = true;
    this.els.button.setAttribute('aria-expanded', 'false');
    if (hadFocus) this.els.button.focus();
  }

  items() { return [...this.els.menu.querySelectorAll('[role=menuitem]')]; }

  /** Up and down move through the items, Escape closes. */
  onKey(e) {
    const items = this.items();
    const i = items.indexOf(document.activeElement);
    const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: items.length - 1 }[e.key];
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); this.close(); return; }
    if (to === undefined || !items.length) return;
    e.preventDefault();
    e.stopPropagation();
    items[(to + items.length) % items.length].focus();
  }

  /** The box for the experiment just loaded (a `config` message's `preset`). */
  show(name) {
    const p = this.presets.find((x) => x.name === name);
    const { box, title, description, expect } = this.els;
    this.current = name;
    title.textContent = p ? p.title || name : name;
    description.textContent = p ? p.description || '' : '';
    const expected = p && p.expect && this.diag ? this.diag.warning(p.expect) : null;
    const hint = expected ? `Watch for: ${expected.watch_for}` : '';
    expect.textContent = hint || '';
    expect.hidden = !hint;
    box.dataset.preset = name;
    box.hidden = false;
  }

  hideBox() {
    this.current = null;
    this.els.box.hidden = true;
  }
}
