// The conv block editor: the `blocks` schema field (config.conv) as a row of cards, one
// per block, each with its kind's settings, a remove button, and one add button per block
// kind. The kinds, their settings, labels, defaults and ranges all come from the field
// (the server's engine/blocks.py registry); nothing about a block is written here. A
// combination the server refuses (a kernel larger than its input) comes back as an error
// naming the block and the sizes, and the editor shows the accepted blocks again.
// A block kind with `weights` (a conv layer) gets a "Frozen" box: its entry of the per-layer
// `frozen` setting (conv layers first), which applies live (fine-tuning); so does each hidden
// layer of the dense head after the blocks ("dense 1 · 16 neurons").

import { perLayerList } from './controls/plan.js';

/** The kinds a blocks field offers: {value, label, help, settings: [{name, kind, default, min, max, ...}]}. */
export function blockKinds(field) {
  return (field && field.choices) || [];
}

/** A new block of a kind, every setting at its default. */
export function newBlock(field, kind) {
  const entry = blockKinds(field).find((c) => c.value === kind);
  const block = { kind };
  for (const s of (entry && entry.settings) || []) block[s.name] = s.default;
  return block;
}

/** Blocks in a few words, for a run's label: "conv 8@3×3, max pool 2×2", or "no conv blocks". */
export function blocksSummary(blocks, field) {
  if (!Array.isArray(blocks) || !blocks.length) return 'no conv blocks';
  return blocks.map((b) => {
    if (b.kind !== 'conv') {
      const entry = blockKinds(field).find((c) => c.value === b.kind);
      return (entry ? entry.label : b.kind).toLowerCase();
    }
    return `conv ${b.filters}@${b.kernel}×${b.kernel}${b.stride > 1 ? ` stride ${b.stride}` : ''}${b.same ? '' : ' valid'}`;
  }).join(', ');
}

/** Block i's weight layer (its place in config.frozen), or null for a block without weights. */
export function weightLayer(blocks, i, field) {
  const weights = (b) => !!(blockKinds(field).find((c) => c.value === b.kind) || {}).weights;
  return weights(blocks[i]) ? blocks.slice(0, i).filter(weights).length : null;
}

/**
 * config.frozen with block i's layer frozen or not (`value` "frozen" or ""), or, `removed`,
 * with its entry dropped as the block goes (the layers after it move up one).
 */
export function frozenWith(config, blocks, i, field, value, removed = false) {
  const k = weightLayer(blocks, i, field);
  const layers = blocks.filter((_, j) => weightLayer(blocks, j, field) !== null).length + (config.hidden || []).length;
  if (k === null) return config.frozen || [];
  if (!removed) return perLayerList(config.frozen, layers, k, value);
  const list = [...(config.frozen || [])];
  list.splice(k, 1);
  return perLayerList(list, layers - 1, -1, '');
}

/** The blocks with one setting of block i set (a new list; the others untouched). */
export function setSetting(blocks, i, name, value) {
  return blocks.map((b, k) => (k === i ? { ...b, [name]: value } : b));
}

/** The values an integer setting's menu offers: min..max (the registry's range). */
export function integerChoices(setting) {
  const lo = Math.ceil(setting.min ?? 1);
  const hi = Math.floor(setting.max ?? lo);
  return Array.from({ length: Math.max(0, hi - lo + 1) }, (_, k) => lo + k);
}

export class BlocksEditor {
  /**
   * field: the schema's blocks field; emit(blocks): a user's change (the whole list).
   * frozen: the schema's `frozen` field, or null; config(), edit(partial): the config shown and
   * a change of several fields at once (a freeze, or a removal that keeps `frozen` aligned).
   */
  constructor(field, emit, { frozen = null, config = () => ({}), edit = null } = {}) {
    this.field = field;
    this.emitList = emit;
    this.frozenField = frozen;
    this.config = config;
    this.edit = edit;
    this.blocks = [];
    this.enabled = true;
    // Folded to one line (the blocks in words) once there are blocks, so the maps keep the
    // panel's height; open while there are none, so "+ Convolution" is in sight.
    this.el = document.createElement('details');
    this.el.className = 'blocks-editor';
    this.el.dataset.field = field.name;
    this.summary = document.createElement('summary');
    this.summary.title = 'show or hide the block editor';
    // Until the user opens, closes or uses it, open exactly while there are no blocks.
    this.touched = false;
    this.el.addEventListener('click', () => { this.touched = true; }, true); // before the button's own

    this.cards = document.createElement('div');
    this.cards.className = 'block-cards';
    this.head = document.createElement('div');
    this.head.className = 'block-head';
    this.head.addEventListener('change', (e) => {
      const k = Number(e.target.dataset.head);
      if (!this.edit || Number.isNaN(k)) return;
      const convs = this.blocks.filter((_, j) => weightLayer(this.blocks, j, this.field) !== null).length;
      const layers = convs + (this.config().hidden || []).length;
      this.edit({ frozen: perLayerList(this.config().frozen, layers, convs + k, e.target.checked ? 'frozen' : '') });
    });
    this.adds = document.createElement('div');
    this.adds.className = 'block-adds';
    this.addButtons = blockKinds(field).map((c) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'small block-add';
      b.dataset.kind = c.value;
      b.textContent = `+ ${c.label}`;
      b.title = `add a block: ${c.help || c.label}`;
      b.addEventListener('click', () => this.emit([...this.blocks, newBlock(field, c.value)]));
      return b;
    });
    this.adds.append(...this.addButtons);
    this.el.append(this.summary, this.cards, this.head, this.adds);
    this.cards.addEventListener('change', (e) => this.changed(e.target));
    this.cards.addEventListener('click', (e) => {
      const b = e.target.closest('button.block-remove');
      if (!b) return;
      const i = Number(b.dataset.block);
      const rest = this.blocks.filter((_, k) => k !== i);
      const frozen = this.frozenField && this.edit ? frozenWith(this.config(), this.blocks, i, this.field, '', true) : null;
      if (frozen && JSON.stringify(frozen) !== JSON.stringify(this.config().frozen || [])) {
        this.touched = true;
        this.edit({ conv: rest, frozen });
      } else this.emit(rest);
    });
  }

  emit(blocks) {
    this.touched = true;
    if (blocks.length > (this.field.max_layers ?? Infinity)) return;
    this.emitList(blocks);
  }

  changed(el) {
    const card = el.closest('[data-block]');
    if (card && el.dataset.frozen !== undefined && this.edit) {
      const value = el.checked ? 'frozen' : '';
      this.edit({ frozen: frozenWith(this.config(), this.blocks, Number(card.dataset.block), this.field, value) });
      return;
    }
    if (!card || !el.dataset.setting) return;
    const value = el.type === 'checkbox' ? el.checked : Number(el.value);
    this.emit(setSetting(this.blocks, Number(card.dataset.block), el.dataset.setting, value));
  }

  /** blocks: config.conv (the accepted blocks, or the edit in flight); config: for `frozen`. */
  render(blocks, config = this.config()) {
    this.blocks = Array.isArray(blocks) ? blocks : [];
    const key = JSON.stringify(this.blocks.map((b) => b.kind));
    if (key !== this.key) { // rebuilt only when the kinds change: a menu being used keeps its focus
      this.key = key;
      this.cards.replaceChildren(...this.blocks.map((b, i) => this.card(b, i)));
    }
    this.blocks.forEach((b, i) => {
      for (const input of this.cards.children[i].querySelectorAll('[data-setting]')) {
        const v = b[input.dataset.setting];
        if (input.type === 'checkbox') input.checked = !!v;
        else input.value = String(v);
      }
      const box = this.cards.children[i].querySelector('[data-frozen]');
      if (box) box.checked = (config.frozen || [])[weightLayer(this.blocks, i, this.field)] === 'frozen';
      this.cards.children[i].dataset.frozen = String(!!(box && box.checked));
    });
    this.renderHead(config);
    this.cards.dataset.empty = String(!this.blocks.length);
    this.summary.textContent = blocksSummary(this.blocks, this.field);
    if (!this.touched) this.el.open = !this.blocks.length;
    this.setEnabled(this.enabled);
  }

  /** The dense head's hidden layers, each with its "Frozen" box (the output layer always trains). */
  renderHead(config) {
    const hidden = Array.isArray(config.hidden) && this.blocks.length && this.frozenField ? config.hidden : [];
    const key = JSON.stringify(hidden);
    if (key !== this.headKey) {
      this.headKey = key;
      this.head.replaceChildren(...hidden.map((n, k) => headInput(this.frozenField, k, n)));
    }
    const convs = this.blocks.filter((_, j) => weightLayer(this.blocks, j, this.field) !== null).length;
    [...this.head.querySelectorAll('input')].forEach((box, k) => {
      box.checked = (config.frozen || [])[convs + k] === 'frozen';
    });
  }

  card(block, i) {
    const entry = blockKinds(this.field).find((c) => c.value === block.kind) || { label: block.kind, settings: [] };
    const card = document.createElement('div');
    card.className = 'block-card';
    card.dataset.block = String(i);
    card.dataset.kind = block.kind;
    const title = document.createElement('span');
    title.className = 'block-title';
    title.textContent = `${i + 1}. ${entry.label}`;
    title.title = entry.help || '';
    card.append(title);
    for (const s of entry.settings || []) card.append(settingInput(s, i));
    if (entry.weights && this.frozenField) card.append(frozenInput(this.frozenField, i));
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'pm block-remove';
    remove.dataset.block = String(i);
    remove.textContent = '×';
    remove.title = `remove block ${i + 1} (${entry.label})`;
    card.append(remove);
    return card;
  }

  setEnabled(enabled) {
    this.enabled = enabled;
    const full = this.blocks.length >= (this.field.max_layers ?? Infinity);
    for (const b of this.addButtons) b.disabled = !enabled || full;
    for (const el of this.cards.querySelectorAll('select, input, button')) el.disabled = !enabled;
    for (const el of this.head.querySelectorAll('input')) el.disabled = !enabled;
  }
}

/** One setting of block i: a menu of its range (integers) or a checkbox (bool), labelled and explained. */
function settingInput(setting, i) {
  const label = document.createElement('label');
  label.className = 'block-setting';
  label.title = setting.help || '';
  let input;
  if (setting.kind === 'bool') {
    input = document.createElement('input');
    input.type = 'checkbox';
    label.append(input, document.createTextNode(setting.label || setting.name));
  } else {
    input = document.createElement('select');
    for (const v of integerChoices(setting)) input.appendChild(new Option(String(v), String(v)));
    label.append(document.createTextNode(`${setting.label || setting.name} `), input);
  }
  input.dataset.setting = setting.name;
  input.setAttribute('aria-label', `block ${i + 1}: ${setting.label || setting.name}`);
  return label;
}

/** The "Frozen" box of a block with weights, labelled and explained by the `frozen` field. */
function frozenInput(field, i) {
  const label = document.createElement('label');
  label.className = 'block-setting block-frozen';
  const choice = (field.choices || []).find((c) => c.value === 'frozen');
  label.title = (choice && choice.help) || field.help || '';
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.dataset.frozen = '';
  input.setAttribute('aria-label', `block ${i + 1}: ${field.label || 'frozen'}`);
  label.append(input, document.createTextNode(field.label || 'Frozen'));
  return label;
}

/** Hidden layer k of the dense head (n neurons): its "Frozen" box. */
function headInput(field, k, n) {
  const label = document.createElement('label');
  label.className = 'block-setting block-frozen';
  label.title = field.help || '';
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.dataset.head = String(k);
  input.setAttribute('aria-label', `dense ${k + 1}: ${field.label || 'frozen'}`);
  label.append(input, document.createTextNode(`dense ${k + 1} · ${n} neurons: ${field.label || 'Frozen'}`));
  return label;
}

/** The `blocks` kind of the controls table: the editor in its field's group, as one control. */
export function blocksControl(field, { emit, schema = [], config, edit }) {
  const frozen = schema.find((f) => f.name === 'frozen') || null;
  const editor = new BlocksEditor(field, emit, { frozen, config, edit });
  return { element: editor.el, render: (v, c) => editor.render(v, c), setEnabled: (e) => editor.setEnabled(e) };
}
