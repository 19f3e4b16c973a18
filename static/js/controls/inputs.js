// The plain controls: a menu (choice), a checkbox (bool), a row of checkboxes (multi)
// and a number as presets, a slider or a box. Each factory takes its schema entry and
// a context {emit(value)} and returns {element, after?, readout?, render(value),
// setEnabled(on), restrict?(values)}; the table in index.js says which one a kind uses.

import { fmt, niceCeil } from '../format.js';
import { numberStyle } from './plan.js';

function select(field) {
  const el = document.createElement('select');
  el.dataset.field = field.name;
  return el;
}

export function choiceControl(field, { emit }) {
  const el = select(field);
  const choices = field.choices || [];
  const problems = [...new Set(choices.map((c) => c.problem).filter(Boolean))];
  // Group datasets by problem type so classification vs regression is visible.
  const groups = problems.length > 1
    ? problems.map((p) => { const g = document.createElement('optgroup'); g.label = p; el.appendChild(g); return [p, g]; })
    : [];
  choices.forEach((c, i) => {
    const o = new Option(c.label ?? String(c.value), String(i));
    if (c.help) o.title = c.help;
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

export function boolControl(field, { emit }) {
  const el = document.createElement('input');
  el.type = 'checkbox';
  el.dataset.field = field.name;
  el.addEventListener('change', () => emit(el.checked));
  return { element: el, render: (v) => { el.checked = !!v; }, setEnabled: (e) => { el.disabled = !e; } };
}

/** Checkboxes; the values that do not apply under the config (restrict) are greyed out. */
export function multiControl(field, { emit }) {
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
      const values = inputs.filter((i) => i.el.checked).map((i) => i.value);
      if (!values.length) { el.checked = true; return; } // at least one feature
      emit(values);
    });
  }
  return {
    element: null,
    after: box,
    render: (v) => { const set = new Set((v || []).map(String)); for (const i of inputs) i.el.checked = set.has(String(i.value)); },
    setEnabled: (e) => { enabled = e; refresh(); },
    restrict: (values) => {
      const same = JSON.stringify(values) === JSON.stringify(allowed);
      allowed = values;
      if (!same) refresh();
    },
  };
}

/** number and integer: the schema entry decides between presets, a slider and a box. */
export function numberControl(field, ctx) {
  const style = numberStyle(field);
  if (style === 'presets') return presetControl(field, ctx);
  if (style === 'slider') return sliderControl(field, ctx);
  return boxControl(field, ctx);
}

function presetControl(field, { emit }) {
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

function sliderControl(field, { emit }) {
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

function boxControl(field, { emit }) {
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
