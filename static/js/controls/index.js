// Config controls built from the server's schema, never from a list of our own.
// plan.js says which controls a schema asks for; KINDS says how each kind is built,
// for the page and for run B's value in the compare control alike.

import { describe } from '../help.js';
import { compareControl } from './compare.js';
import { boolControl, choiceControl, multiControl, numberControl } from './inputs.js';
import { layersControl, perLayerControl } from './layers.js';
import { blocksControl } from '../blocks-editor.js';
import { allowedValues, featuresNote, isShown, plan, shownValue } from './plan.js';

// kind -> factory; `own`: the control places itself (the network panel's layer editor),
// the others get a labelled box in their group's container.
const KINDS = {
  number: { make: numberControl },
  integer: { make: numberControl },
  bool: { make: boolControl },
  choice: { make: choiceControl },
  multi: { make: multiControl },
  compare: { make: compareControl },
  layers: { make: layersControl, own: true },
  per_layer: { make: perLayerControl, own: true },
  blocks: { make: blocksControl }, // conv blocks: the editor is one control in the network group
};

export const KNOWN_KINDS = Object.keys(KINDS);

// Kinds run B's value may take in the compare control: one input, no editor.
const SIMPLE = ['number', 'integer', 'bool', 'choice'];

export class Controls {
  /**
   * slots: {groups: {name: element}, fallback: element (for a group the page has no
   * box for), layers: {header, strip}, note: the features note}. config(): the config
   * shown (accepted plus edits in flight); edit(partial): a user's change.
   * accessories: {field name: element} put beside that field's control (new seed).
   */
  constructor(slots, { config, edit, accessories = {} }) {
    this.slots = slots;
    this.config = config;
    this.edit = edit;
    this.accessories = accessories;
    this.schema = [];
    this.schemaKey = null;
    this.controls = [];
    this.enabled = true;
    this.dataset = null;
  }

  /** Build once per distinct schema (a reconnect usually sends the same one). */
  build(schema) {
    const key = JSON.stringify(schema);
    if (key === this.schemaKey) return;
    this.schemaKey = key;
    this.schema = schema || [];
    for (const el of [...Object.values(this.slots.groups), this.slots.fallback]) el.replaceChildren();
    this.slots.layers.header.replaceChildren();
    this.slots.layers.strip.replaceChildren();
    for (const el of Object.values(this.accessories)) el.remove();
    this.controls = [];
    const shared = { schema: this.schema, slots: this.slots, config: this.config, edit: this.edit, editor: null, make: makeSimple };
    for (const entry of plan(this.schema, KNOWN_KINDS)) {
      const kind = KINDS[entry.kind];
      const control = kind.make(entry.field, { ...shared, emit: (value) => this.edit({ [entry.name]: value }) });
      if (control.editor) shared.editor = control.editor;
      this.controls.push({ ...entry, ...control, wrap: kind.own ? null : this.place(entry, control) });
    }
    this.setEnabled(this.enabled);
  }

  /** A labelled box in the field's group: label (with a slider's readout), input, extras. */
  place(entry, control) {
    const wrap = document.createElement('div');
    wrap.className = `control control-${entry.kind}`;
    const label = document.createElement('label');
    label.className = 'control-label';
    label.textContent = entry.label;
    label.htmlFor = entry.id;
    wrap.appendChild(label);
    (this.slots.groups[entry.group] || this.slots.fallback).appendChild(wrap);
    if (control.element) {
      control.element.id = entry.id;
      wrap.appendChild(control.element);
    }
    describe(wrap, entry.help, control.element || wrap);
    if (control.after) wrap.appendChild(control.after); // e.g. run B's value beside the compare menu
    if (control.readout) label.appendChild(control.readout);
    if (this.accessories[entry.name]) wrap.appendChild(this.accessories[entry.name]);
    return wrap;
  }

  render(config = this.config()) {
    for (const c of this.controls) {
      if (c.restrict) c.restrict(allowedValues(this.schema, c.name, config));
      c.render(shownValue(c.field, config), config);
      if (c.wrap) c.wrap.hidden = !isShown(c.field, config);
    }
    this.renderNote(config);
  }

  /** The dataset message (an image's size names its pixels in the features note). */
  setDataset(dataset) {
    this.dataset = dataset;
    this.renderNote(this.config());
  }

  renderNote(config) {
    const text = featuresNote(this.schema, config, this.dataset);
    this.slots.note.hidden = !text;
    this.slots.note.textContent = text;
  }

  setEnabled(enabled) {
    this.enabled = enabled;
    for (const c of this.controls) c.setEnabled(enabled);
    for (const el of Object.values(this.accessories)) el.disabled = !enabled;
  }
}

/** A control for run B's value (compare): the table's factory, for the kinds of one input. */
function makeSimple(field, emit) {
  return SIMPLE.includes(field.kind) ? KINDS[field.kind].make(field, { emit }) : null;
}
