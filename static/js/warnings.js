// Plain-word warnings about gradient health, as the server words them
// (frame.warnings, docs/diagnostics.md): one line per problem with an icon, in the
// engine's order (hello.diagnostics.warnings, causes before symptoms) and with its
// titles; a warning goes as soon as the server stops sending it. The message carries
// its number and statistic; nothing here rewords or reformats it.

import { Diagnostics } from './diagnostics.js';

export class WarningList {
  /** list: the <ul> to fill; options: {heading: element showing which run (comparisons)} */
  constructor(list, { heading = null } = {}) {
    this.list = list;
    this.heading = heading;
    this.key = null;
    this.frame = null;
    this.diag = null; // from hello
    this.render([]);
  }

  setHello(hello) {
    this.diag = new Diagnostics(hello);
    this.key = null;
    if (this.frame) this.update(this.frame);
  }

  setLabel(text) {
    if (!this.heading) return;
    this.heading.textContent = text || '';
    this.heading.hidden = !text;
  }

  update(frame) {
    this.frame = frame;
    this.render(frame.warnings || []);
  }

  clear() { this.render([]); }

  render(warnings) {
    // Before hello there is no order to sort by: the server's order stands.
    const rank = (code) => (this.diag ? this.diag.rank(code) : 0);
    const sorted = [...warnings].sort((a, b) => rank(a.code) - rank(b.code) || (a.layer ?? 0) - (b.layer ?? 0));
    const key = JSON.stringify(sorted.map((w) => [w.code, w.layer, w.message]));
    if (key === this.key) return; // no DOM work while nothing changed
    this.key = key;
    this.list.dataset.count = String(sorted.length);
    this.list.dataset.many = String(sorted.length > 2); // smaller type, so more of them fit
    if (!sorted.length) {
      const li = document.createElement('li');
      li.className = 'warning-none';
      li.textContent = '✓ no gradient problems detected';
      this.list.replaceChildren(li);
      return;
    }
    this.list.replaceChildren(...sorted.map((w) => {
      const li = document.createElement('li');
      li.className = 'warning';
      li.dataset.code = w.code;
      if (w.layer !== null && w.layer !== undefined) li.dataset.layer = String(w.layer);
      if (w.layers && w.layers.length) li.dataset.layers = w.layers.join(' '); // every layer the line concerns
      const known = this.diag && this.diag.warning(w.code);
      li.title = known ? known.title : w.code;
      const icon = document.createElement('span');
      icon.className = 'warning-icon';
      icon.setAttribute('aria-hidden', 'true');
      icon.textContent = '⚠';
      const text = document.createElement('span');
      text.className = 'warning-text';
      text.textContent = w.message;
      li.append(icon, text);
      return li;
    }));
  }
}
