// The hidden-layer editor: +/- layer buttons and, above each hidden column of
// the diagram, +/- neuron buttons (as in TF Playground) and one compact menu per
// `per_layer` schema field (e.g. each layer's activation). Positions come from
// the same columnXs() the diagram uses, so buttons line up with columns.
// The factories for the `layers` and `per_layer` kinds are at the end.

import { columnXs } from '../network.js';
import { alignPerLayer, fallbackOf, perLayerList } from './plan.js';

export class LayersEditor {
  /**
   * onChange(hidden, change): change says which layer moved, so per-layer settings
   * stay aligned: {removed: i}, {added: i} or null (a width changed). config(): the
   * config shown, whose per-layer lists a menu change edits.
   */
  constructor({ header, strip }, field, onChange, config) {
    this.field = field;
    this.onChange = onChange;
    this.config = config;
    this.strip = strip;
    this.hidden = [];
    this.perLayer = []; // {field, emit, fallback} per `per_layer` schema field
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
      const n = this.hidden.length;
      const width = n ? this.hidden[n - 1] : 4;
      this.emit([...this.hidden, width], { added: n });
    });
    this.removeLayer.addEventListener('click', () => {
      const n = this.hidden.length;
      this.emit(this.hidden.slice(0, -1), { removed: n - 1 });
    });
    strip.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-action]');
      if (!b) return;
      const i = Number(b.dataset.layer);
      const next = [...this.hidden];
      next[i] += b.dataset.action === 'add-neuron' ? 1 : -1;
      this.emit(next, null);
    });
    strip.addEventListener('change', (e) => {
      const el = e.target.closest('select[data-layer]');
      const p = el && this.perLayer.find((x) => x.field.name === el.dataset.field);
      if (!p) return;
      const choice = (p.field.choices || [])[Number(el.value)];
      if (choice) p.emit(perLayerList(this.config()[p.field.name], this.hidden.length, Number(el.dataset.layer), choice.value));
    });
    new ResizeObserver(() => this.place()).observe(strip);
  }

  /**
   * A `per_layer` field: one menu under each hidden column. `fallback` is the
   * network-wide choice field an empty entry follows (shown as "same (Tanh)").
   */
  addPerLayer(field, fallback, emit) {
    this.perLayer.push({ field, fallback, emit });
    this.strip.replaceChildren(); // rebuilt with the new menus on the next render
    this.strip.dataset.rows = String(this.perLayer.length);
  }

  emit(hidden, change) {
    const f = this.field;
    if (hidden.length < (f.min_layers ?? 0) || hidden.length > (f.max_layers ?? 8)) return;
    if (hidden.some((n) => n < (f.min ?? 1) || n > (f.max ?? 16))) return;
    this.onChange(hidden, change);
  }

  /** hidden: the layer widths; config: the whole (effective) config, for per-layer menus. */
  render(hidden, config) {
    this.hidden = Array.isArray(hidden) ? hidden : [];
    const n = this.hidden.length;
    this.count.textContent = `${n} hidden layer${n === 1 ? '' : 's'}`;
    if (this.strip.childElementCount !== n) {
      this.strip.replaceChildren(...this.hidden.map((_, i) => this.column(i)));
    }
    this.renderPerLayer(config);
    this.setEnabled(this.enabled);
    this.place();
  }

  renderPerLayer(config) {
    for (const p of this.perLayer) {
      const choices = p.field.choices || [];
      const list = Array.isArray(config[p.field.name]) ? config[p.field.name] : [];
      const wide = p.fallback && (p.fallback.choices || []).find((c) => c.value === config[p.fallback.name]);
      const wideLabel = wide ? (wide.label ?? String(wide.value)) : '';
      for (const el of this.strip.querySelectorAll(`select[data-field="${p.field.name}"]`)) {
        const i = Number(el.dataset.layer);
        const value = list[i] ?? '';
        // The empty choice names what it stands for: "same (Tanh)".
        const empty = choices.findIndex((c) => c.value === '');
        if (empty >= 0) el.options[empty].textContent = wideLabel ? `same (${wideLabel})` : choices[empty].label;
        const k = choices.findIndex((c) => c.value === value);
        if (k >= 0) el.value = String(k);
        const own = value !== '' && k >= 0;
        el.dataset.override = String(own);
        el.title = `${p.field.label || p.field.name}, hidden layer ${i + 1}: `
          + (own ? choices[k].label ?? value : `same as the network-wide setting${wideLabel ? ` (${wideLabel})` : ''}`);
      }
    }
  }

  place() {
    const xs = columnXs(this.hidden.length + 2, this.strip.clientWidth);
    const gap = xs.length < 2 ? this.strip.clientWidth : xs[1] - xs[0];
    const roomy = gap > 84; // else "16" instead of "16 neurons"
    // Deep networks: the +/- pair narrows to fit between columns instead of overlapping.
    this.strip.dataset.narrow = String(gap < 64);
    // Too deep for a pair side by side (a phone, or a projector at 150%): the pair stacks and
    // the per-layer menus give way (the network-wide ones still apply to every layer).
    this.strip.dataset.crowded = String(gap < 38);
    [...this.strip.children].forEach((el, i) => {
      el.style.left = `${xs[i + 1]}px`;
      const width = this.hidden[i];
      el.querySelector('.neuron-count').textContent = roomy ? `${width} neuron${width === 1 ? '' : 's'}` : String(width);
      for (const s of el.querySelectorAll('select')) s.style.maxWidth = `${Math.max(34, Math.min(128, gap - 8))}px`;
      // Crowded: each button as wide as the column allows (a phone leaves ~14 px).
      for (const b of el.querySelectorAll('button')) b.style.width = gap < 38 ? `${Math.max(9, Math.min(18, gap - 2))}px` : '';
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
    for (const s of this.strip.querySelectorAll('select')) s.disabled = !enabled;
  }

  column(i) {
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
    for (const p of this.perLayer) {
      const s = document.createElement('select');
      s.className = 'layer-select';
      s.dataset.field = p.field.name;
      s.dataset.layer = String(i);
      (p.field.choices || []).forEach((c, k) => s.appendChild(new Option(c.label ?? String(c.value), String(k))));
      el.appendChild(s);
    }
    return el;
  }
}

/**
 * The `layers` kind: the editor, in the network panel's header and strip. A change of
 * the layers realigns every per-layer list in the same `set`.
 */
export function layersControl(field, { edit, schema, slots, config }) {
  const perLayer = schema.filter((f) => f.kind === 'per_layer');
  const editor = new LayersEditor(slots.layers, field, (hidden, change) => {
    const out = { [field.name]: hidden };
    for (const f of change ? perLayer : []) {
      const current = config()[f.name];
      const next = alignPerLayer(current, hidden.length, change);
      if (JSON.stringify(next) !== JSON.stringify(current)) out[f.name] = next;
    }
    edit(out);
  }, config);
  return { editor, render: (v, cfg) => editor.render(v, cfg), setEnabled: (e) => editor.setEnabled(e) };
}

/** The `per_layer` kind: a menu under each hidden column of the editor (built first). */
export function perLayerControl(field, { emit, schema, editor }) {
  editor.addPerLayer(field, fallbackOf(field, schema), emit);
  // The editor renders its menus with the whole config when the layers render.
  return { render: () => {}, setEnabled: () => {} };
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
