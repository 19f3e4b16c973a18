// One floating tooltip (#tooltip) shared by widgets that explain what is under the mouse.

export class Tooltip {
  constructor(element) {
    this.el = element;
  }

  /** rows: [[label, text]]; placed beside the pointer and kept inside the window. */
  show(clientX, clientY, title, rows) {
    const el = this.el;
    el.replaceChildren();
    const head = document.createElement('div');
    head.className = 'tt-title';
    head.textContent = title;
    el.appendChild(head);
    for (const [label, text] of rows) {
      const row = document.createElement('div');
      row.className = 'tt-row';
      const k = document.createElement('span');
      k.className = 'tt-key';
      k.textContent = label;
      const v = document.createElement('span');
      v.className = 'tt-val';
      v.textContent = text;
      row.append(k, v);
      el.appendChild(row);
    }
    el.hidden = false;
    const { width, height } = el.getBoundingClientRect();
    const x = clientX + 16 + width > innerWidth ? clientX - 16 - width : clientX + 16;
    const y = Math.min(innerHeight - height - 4, Math.max(4, clientY + 12));
    el.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }

  hide() {
    this.el.hidden = true;
  }
}
