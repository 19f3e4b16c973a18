// The `compare` control: null, or {field, value} = run B differs from run A in that
// one setting. A menu of the settings (`fields`), and for the chosen one B's value,
// built by the same factory table as any control (ctx.make).

import { labelOf, otherValue } from './plan.js';

export function compareControl(field, { emit, schema, make, config }) {
  const fields = (field.fields || []).map((name) => schema.find((f) => f.name === name)).filter(Boolean);
  const el = document.createElement('select');
  el.dataset.field = field.name;
  el.title = 'Train a second run B beside this one (A), on the same data, starting weights and batch order, differing only in this setting';
  el.appendChild(new Option('off', ''));
  for (const f of fields) el.appendChild(new Option(labelOf(f), f.name));
  const box = document.createElement('span');
  box.className = 'compare-value';
  box.hidden = true;
  const tag = document.createElement('label');
  tag.className = 'compare-b';
  tag.textContent = 'B:';
  let sub = null; // {name, control} of B's value
  let enabled = true;
  const build = (name) => {
    if (sub && sub.name === name) return sub;
    const f = fields.find((x) => x.name === name);
    const control = f && make(f, (value) => emit({ field: f.name, value }));
    if (!control || !control.element) { box.replaceChildren(); box.hidden = true; sub = null; return null; }
    control.element.id = 'field-compare-value';
    control.element.dataset.field = 'compare-value';
    control.element.title = `${labelOf(f)} of run B`;
    tag.htmlFor = control.element.id;
    box.replaceChildren(tag, control.element);
    if (control.readout) box.appendChild(control.readout);
    box.hidden = false;
    control.setEnabled(enabled);
    sub = { name, control };
    return sub;
  };
  el.addEventListener('change', () => {
    const name = el.value;
    if (!name) { emit(null); return; }
    emit({ field: name, value: otherValue(fields.find((x) => x.name === name), config()[name]) });
  });
  return {
    element: el,
    after: box,
    render: (v, cfg) => {
      const current = v && typeof v === 'object' ? v : null;
      el.value = current ? current.field : '';
      const s = build(current ? current.field : null);
      if (s) s.control.render(current.value, cfg);
    },
    setEnabled: (e) => { enabled = e; el.disabled = !e; if (sub) sub.control.setEnabled(e); },
  };
}
