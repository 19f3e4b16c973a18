// Config controls built from the server's schema, never from a list of our own.
// Each control reports changes through onEdit; render(config) shows values.

import { LayersEditor, alignPerLayer } from './layers.js';
import { fmt, niceCeil } from './format.js';

export class Controls {
  /** containers: {group name: element, default: element}; layers: {header, strip} of the network panel. */
  constructor(containers, layers, onEdit) {
    this.containers = containers;
    this.layersSlots = layers;
    this.onEdit = onEdit;
    this.controls = [];
    this.schemaKey = null;
    this.enabled = true;
    this.config = {};
    this.layers = null; // the hidden-layer editor, when the schema has a `layers` field
  }

  /** Build once per distinct schema (a reconnect usually sends the same one). */
  build(schema) {
    const key = JSON.stringify(schema);
    if (key === this.schemaKey) return;
    this.schemaKey = key;
    for (const el of Object.values(this.containers)) el.replaceChildren();
    this.layersSlots.header.replaceChildren();
    this.layersSlots.strip.replaceChildren();
    this.controls = [];
    this.layers = null;
    // Per-layer fields live in the layer editor's columns, so they come after it.
    const perLayer = schema.filter((f) => f.kind === 'per_layer');
    this.schema = schema;
    for (const field of schema.filter((f) => f.kind !== 'per_layer')) {
      const control = this.makeControl(field);
      if (control) this.controls.push(control);
    }
    for (const field of perLayer) {
      const control = this.perLayerControl(field, schema);
      if (control) this.controls.push(control);
    }
    this.setEnabled(this.enabled);
  }

  /** The element that holds a field's control (to put a related button beside it). */
  wrapOf(name) {
    const c = this.controls.find((x) => x.field.name === name);
    return c && c.wrap ? c.wrap : null;
  }

  makeControl(field) {
    const emit = (value) => this.onEdit({ [field.name]: value });
    if (field.kind === 'layers') {
      if (this.layers) return null; // one layer editor: per-layer fields belong to it
      const editor = new LayersEditor(this.layersSlots, field, (hidden, change) => {
        this.onEdit({ [field.name]: hidden, ...this.alignedPerLayer(hidden, change) });
      });
      this.layers = editor;
      return { field, render: (v, config) => editor.render(v, config), setEnabled: (e) => editor.setEnabled(e) };
    }
    if (!KNOWN_KINDS.has(field.kind)) return null; // a kind this page does not know: nothing, not a broken input
    const parent = this.containers[field.group] || this.containers.default;
    const wrap = document.createElement('div');
    wrap.className = `control control-${field.kind}`;
    const label = document.createElement('label');
    label.className = 'control-label';
    label.textContent = field.label || humanize(field.name);
    wrap.appendChild(label);
    parent.appendChild(wrap);
    const id = `field-${field.name}`;
    label.htmlFor = id;
    let control;
    if (field.kind === 'choice') control = choiceControl(field, emit);
    else if (field.kind === 'bool') control = boolControl(field, emit);
    else if (field.kind === 'multi') control = multiControl(field, emit, wrap);
    else if (field.kind === 'compare') control = compareControl(field, this.schema || [], emit, wrap);
    else if (field.presets) control = presetControl(field, emit);
    else if (isSlider(field)) control = sliderControl(field, emit);
    else control = numberControl(field, emit); // number or integer (KNOWN_KINDS)
    if (control.element) {
      control.element.id = id;
      wrap.appendChild(control.element);
    }
    if (control.after) wrap.appendChild(control.after); // e.g. run B's value beside the compare menu
    if (control.readout) label.appendChild(control.readout);
    return { field, wrap, ...control };
  }

  /**
   * A `per_layer` field (one choice per hidden layer): a menu under each hidden
   * column. Its empty choice follows the network-wide choice field offering the
   * same values (layer_activations -> activation), which the menu names.
   */
  perLayerControl(field, schema) {
    if (!this.layers) return null;
    const values = (field.choices || []).map((c) => c.value).filter((v) => v !== '');
    const fallback = schema.find((f) => f.kind === 'choice'
      && sameSet((f.choices || []).map((c) => c.value), values)) || null;
    this.layers.addPerLayer(field, fallback, (list) => this.onEdit({ [field.name]: list }));
    const editor = this.layers;
    // The editor renders the menus with the whole config when the layers render.
    return { field, render: () => {}, setEnabled: () => {}, perLayer: true, editor };
  }

  /** Per-layer lists realigned after a layer was added or removed, for the same `set`. */
  alignedPerLayer(hidden, change) {
    const out = {};
    if (!change) return out;
    for (const c of this.controls) {
      if (!c.perLayer) continue;
      const current = this.config[c.field.name];
      const next = alignPerLayer(current, hidden.length, change);
      if (JSON.stringify(next) !== JSON.stringify(current)) out[c.field.name] = next;
    }
    return out;
  }

  render(config) {
    this.config = config;
    for (const c of this.controls) {
      if (c.restrict) c.restrict(this.allowedValues(c.field.name, config));
      if (c.field.name in config) c.render(config[c.field.name], config);
      // `when`: a setting that only matters for some choices (Adam's betas) hides otherwise.
      if (c.field.when && c.wrap) {
        c.wrap.hidden = !Object.entries(c.field.when).every(([k, values]) => values.includes(config[k]));
      }
    }
  }

  /**
   * The values of a multi field that apply under the current config: a choice's schema
   * entry may list them under the field's name (a dataset lists its features). null: all.
   */
  allowedValues(name, config) {
    let allowed = null;
    for (const c of this.controls) {
      if (c.field.kind !== 'choice') continue;
      const choice = (c.field.choices || []).find((x) => x.value === config[c.field.name]);
      if (choice && Array.isArray(choice[name])) allowed = choice[name];
    }
    return allowed;
  }

  setEnabled(enabled) {
    this.enabled = enabled;
    for (const c of this.controls) c.setEnabled(enabled);
  }
}

const KNOWN_KINDS = new Set(['number', 'integer', 'bool', 'choice', 'multi', 'compare']);

function sameSet(a, b) {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((v) => sa.has(v));
}

function humanize(name) {
  return name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, ' ');
}

function isSlider(f) {
  if (!Number.isFinite(f.min) || !Number.isFinite(f.max)) return false;
  return f.kind === 'number' || f.max - f.min <= 10000;
}

function select(field) {
  const el = document.createElement('select');
  el.dataset.field = field.name;
  return el;
}

function choiceControl(field, emit) {
  const el = select(field);
  const choices = field.choices || [];
  const problems = [...new Set(choices.map((c) => c.problem).filter(Boolean))];
  // Group datasets by problem type so classification vs regression is visible.
  const groups = problems.length > 1
    ? problems.map((p) => { const g = document.createElement('optgroup'); g.label = p; el.appendChild(g); return [p, g]; })
    : [];
  choices.forEach((c, i) => {
    const o = new Option(c.label ?? String(c.value), String(i));
    const g = groups.find(([p]) => p === c.problem);
    (g ? g[1] : el).appendChild(o);
  });
  el.addEventListener('change', () => emit(choices[Number(el.value)].value));
  return {
    element: el,
    render: (v) => { const i = choices.findIndex((c) => c.value === v); if (i >= 0) el.value = String(i); },
    setEnabled: (e) => { el.disabled = !e; },
  };
}

function boolControl(field, emit) {
  const el = document.createElement('input');
  el.type = 'checkbox';
  el.dataset.field = field.name;
  el.addEventListener('change', () => emit(el.checked));
  return { element: el, render: (v) => { el.checked = !!v; }, setEnabled: (e) => { el.disabled = !e; } };
}

function multiControl(field, emit, wrap) {
  const box = document.createElement('div');
  box.className = 'multi';
  let enabled = true;
  let allowed = null; // null: every choice applies
  const inputs = (field.choices || []).map((c) => {
    const label = document.createElement('label');
    label.className = 'multi-item';
    const el = document.createElement('input');
    el.type = 'checkbox';
    el.dataset.field = field.name;
    el.value = String(c.value);
    label.append(el, document.createTextNode(c.label ?? String(c.value)));
    box.appendChild(label);
    return { el, label, value: c.value };
  });
  const applies = (i) => !allowed || allowed.includes(i.value);
  const current = () => inputs.filter((i) => i.el.checked && applies(i)).map((i) => i.value);
  const refresh = () => {
    for (const i of inputs) {
      const ok = applies(i);
      i.el.disabled = !enabled || !ok;
      i.label.classList.toggle('unavailable', !ok);
      i.label.title = ok ? '' : 'does not apply to this dataset';
    }
    box.hidden = !!allowed && allowed.length === 0; // images: no features at all
  };
  for (const { el } of inputs) {
    el.addEventListener('change', () => {
      const values = current();
      if (!values.length) { el.checked = true; return; } // at least one feature
      emit(values);
    });
  }
  wrap.appendChild(box);
  return {
    element: null,
    render: (v) => { const set = new Set((v || []).map(String)); for (const i of inputs) i.el.checked = set.has(String(i.value)); },
    setEnabled: (e) => { enabled = e; refresh(); },
    restrict: (values) => {
      const same = JSON.stringify(values) === JSON.stringify(allowed);
      allowed = values;
      if (!same) refresh();
    },
  };
}

/**
 * A `compare` field: null, or {field, value} = run B differs from run A in that one
 * setting. A menu of the settings (`fields`), and for the chosen one B's value,
 * built from that setting's own schema entry with the same builders as any control.
 */
function compareControl(field, schema, emit, wrap) {
  const fields = (field.fields || []).map((name) => schema.find((f) => f.name === name)).filter(Boolean);
  const el = document.createElement('select');
  el.dataset.field = field.name;
  el.title = 'Train a second run B beside this one (A), on the same data, starting weights and batch order, differing only in this setting';
  el.appendChild(new Option('off', ''));
  for (const f of fields) el.appendChild(new Option(f.label || humanize(f.name), f.name));
  const box = document.createElement('span');
  box.className = 'compare-value';
  box.hidden = true;
  const tag = document.createElement('label');
  tag.className = 'compare-b';
  tag.textContent = 'B:';
  let current = null; // {field, value} shown
  let sub = null; // {name, control}
  let enabled = true;
  let config = {};
  const build = (name) => {
    if (sub && sub.name === name) return sub;
    const f = fields.find((x) => x.name === name);
    if (!f) { box.replaceChildren(); box.hidden = true; sub = null; return null; }
    const subEmit = (value) => emit({ field: f.name, value });
    let control;
    if (f.kind === 'choice') control = choiceControl(f, subEmit);
    else if (f.kind === 'bool') control = boolControl(f, subEmit);
    else if (f.presets) control = presetControl(f, subEmit);
    else if (isSlider(f)) control = sliderControl(f, subEmit);
    else control = numberControl(f, subEmit);
    control.element.id = 'field-compare-value';
    control.element.dataset.field = 'compare-value';
    control.element.title = `${f.label || humanize(f.name)} of run B`;
    tag.htmlFor = control.element.id;
    box.replaceChildren(tag, control.element);
    if (control.readout) box.appendChild(control.readout);
    box.hidden = false;
    control.setEnabled(enabled);
    sub = { name, control, field: f };
    return sub;
  };
  el.addEventListener('change', () => {
    const name = el.value;
    if (!name) { emit(null); return; }
    const f = fields.find((x) => x.name === name);
    emit({ field: name, value: otherValue(f, config[name]) });
  });
  return {
    element: el,
    after: box,
    render: (v, cfg) => {
      config = cfg || {};
      current = v && typeof v === 'object' ? v : null;
      el.value = current ? current.field : '';
      const s = current ? build(current.field) : build(null);
      if (s) s.control.render(current.value, config);
    },
    setEnabled: (e) => { enabled = e; el.disabled = !e; if (sub) sub.control.setEnabled(e); },
  };
}

/** A value for run B that differs from A's: the next choice, or a preset, or double. */
export function otherValue(f, a) {
  if (!f) return null;
  if (f.kind === 'choice') {
    const values = (f.choices || []).map((c) => c.value);
    return values.find((v) => v !== a) ?? a;
  }
  if (f.kind === 'bool') return !a;
  if (f.presets && f.presets.length) {
    const larger = f.presets.find((p) => p > a);
    return larger ?? f.presets.find((p) => p !== a) ?? a;
  }
  const v = typeof a === 'number' ? (a ? a * 2 : 0.5) : f.default;
  return Number.isFinite(f.max) ? Math.min(f.max, v) : v;
}

function presetControl(field, emit) {
  const el = select(field);
  let options = [];
  // The presets, plus the current value when a link or the server chose another.
  const fill = (current) => {
    options = [...field.presets];
    if (current !== undefined && !options.includes(current)) options.push(current);
    options.sort((a, b) => a - b);
    el.replaceChildren(...options.map((p, i) => new Option(fmt(p, 3), String(i))));
  };
  fill();
  el.addEventListener('change', () => emit(options[Number(el.value)]));
  return {
    element: el,
    render: (v) => {
      const extra = options.length > field.presets.length;
      if (!options.includes(v) || (extra && field.presets.includes(v))) fill(v);
      el.value = String(options.indexOf(v));
    },
    setEnabled: (e) => { el.disabled = !e; },
  };
}

function sliderControl(field, emit) {
  const el = document.createElement('input');
  el.type = 'range';
  el.dataset.field = field.name;
  const log = !!field.log && field.min > 0;
  const readout = document.createElement('output');
  readout.className = 'readout';
  const integer = field.kind === 'integer';
  if (log) {
    el.min = String(Math.log10(field.min));
    el.max = String(Math.log10(field.max));
    el.step = 'any';
  } else {
    el.min = String(field.min);
    el.max = String(field.max);
    el.step = integer ? String(Math.max(1, Math.round(niceCeil((field.max - field.min) / 200)))) : String(niceCeil((field.max - field.min) / 100));
  }
  const toValue = () => {
    let v = log ? 10 ** Number(el.value) : Number(el.value);
    if (integer) v = Math.round(v);
    else v = Number(v.toPrecision(6));
    return Math.min(field.max, Math.max(field.min, v));
  };
  el.addEventListener('input', () => { readout.textContent = fmt(toValue(), 3); });
  el.addEventListener('change', () => emit(toValue()));
  return {
    element: el,
    readout,
    render: (v) => {
      if (el.matches(':active')) return; // do not yank a slider out of the user's hand
      el.value = String(log ? Math.log10(v) : v);
      readout.textContent = fmt(v, 3);
    },
    setEnabled: (e) => { el.disabled = !e; },
  };
}

function numberControl(field, emit) {
  const el = document.createElement('input');
  el.type = 'number';
  el.dataset.field = field.name;
  if (Number.isFinite(field.min)) el.min = String(field.min);
  if (Number.isFinite(field.max)) el.max = String(field.max);
  el.step = field.kind === 'integer' ? '1' : 'any';
  el.addEventListener('change', () => {
    const v = Number(el.value);
    if (el.value !== '' && Number.isFinite(v)) emit(field.kind === 'integer' ? Math.round(v) : v);
  });
  return {
    element: el,
    render: (v) => { if (document.activeElement !== el) el.value = String(v); },
    setEnabled: (e) => { el.disabled = !e; },
  };
}
