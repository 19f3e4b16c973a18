// The hidden-layer editor: +/- layer buttons and, above each hidden column of
// the diagram, +/- neuron buttons (as in TF Playground). Positions come from
// the same columnXs() the diagram uses, so buttons line up with columns.

import { columnXs } from './network.js';

export class LayersEditor {
  constructor({ header, strip }, field, onChange) {
    this.field = field;
    this.onChange = onChange;
    this.strip = strip;
    this.hidden = [];
    this.enabled = true;

    this.addLayer = button('+', 'add-layer', 'add a hidden layer');
    this.removeLayer = button('−', 'remove-layer', 'remove the last hidden layer');
    this.count = document.createElement('span');
    this.count.className = 'layer-count';
    const box = document.createElement('div');
    box.className = 'layer-controls';
    box.append(this.addLayer, this.removeLayer, this.count);
    header.appendChild(box);

    this.addLayer.addEventListener('click', () => {
      const width = this.hidden.length ? this.hidden[this.hidden.length - 1] : 4;
      this.emit([...this.hidden, width]);
    });
    this.removeLayer.addEventListener('click', () => this.emit(this.hidden.slice(0, -1)));
    strip.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-action]');
      if (!b) return;
      const i = Number(b.dataset.layer);
      const next = [...this.hidden];
      next[i] += b.dataset.action === 'add-neuron' ? 1 : -1;
      this.emit(next);
    });
    new ResizeObserver(() => this.place()).observe(strip);
  }

  emit(hidden) {
    const f = this.field;
    if (hidden.length < (f.min_layers ?? 0) || hidden.length > (f.max_layers ?? 8)) return;
    if (hidden.some((n) => n < (f.min ?? 1) || n > (f.max ?? 16))) return;
    this.onChange(hidden);
  }

  render(hidden) {
    this.hidden = Array.isArray(hidden) ? hidden : [];
    const n = this.hidden.length;
    this.count.textContent = `${n} hidden layer${n === 1 ? '' : 's'}`;
    if (this.strip.childElementCount !== n) {
      this.strip.replaceChildren(...this.hidden.map((_, i) => column(i)));
    }
    this.setEnabled(this.enabled);
    this.place();
  }

  place() {
    const xs = columnXs(this.hidden.length + 2, this.strip.clientWidth);
    const roomy = xs.length < 2 || xs[1] - xs[0] > 84; // else "16" instead of "16 neurons"
    [...this.strip.children].forEach((el, i) => {
      el.style.left = `${xs[i + 1]}px`;
      const width = this.hidden[i];
      el.querySelector('.neuron-count').textContent = roomy ? `${width} neuron${width === 1 ? '' : 's'}` : String(width);
    });
  }

  setEnabled(enabled) {
    this.enabled = enabled;
    const f = this.field;
    const n = this.hidden.length;
    this.addLayer.disabled = !enabled || n >= (f.max_layers ?? 8);
    this.removeLayer.disabled = !enabled || n <= (f.min_layers ?? 0);
    for (const b of this.strip.querySelectorAll('button')) {
      const width = this.hidden[Number(b.dataset.layer)];
      const atLimit = b.dataset.action === 'add-neuron' ? width >= (f.max ?? 16) : width <= (f.min ?? 1);
      b.disabled = !enabled || atLimit;
    }
  }
}

function button(text, action, title) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'pm';
  b.textContent = text;
  b.dataset.action = action;
  b.title = title;
  return b;
}

function column(i) {
  const el = document.createElement('div');
  el.className = 'layer-col';
  const add = button('+', 'add-neuron', `add a neuron to hidden layer ${i + 1}`);
  const remove = button('−', 'remove-neuron', `remove a neuron from hidden layer ${i + 1}`);
  add.dataset.layer = remove.dataset.layer = String(i);
  const label = document.createElement('div');
  label.className = 'neuron-count';
  const row = document.createElement('div');
  row.className = 'pm-row';
  row.append(add, remove);
  el.append(row, label);
  return el;
}
