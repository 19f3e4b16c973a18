// The engine's description of its diagnostics (hello.diagnostics, written once in
// engine/diagnostics.py) and of its activations (the schema's choices carry
// can_die, saturates), read the way the widgets ask for it. No rule of the engine
// is written here: a measure, warning or activation the engine adds shows up as sent.

import { fmt, percent } from './format.js';

/** hello.diagnostics, or a clear error naming what is missing (a server too old for this page). */
export function describedDiagnostics(hello) {
  const d = hello && hello.diagnostics;
  for (const key of ['window', 'percentiles', 'measures', 'warnings']) {
    if (!d || d[key] === undefined) throw new Error(`hello.diagnostics.${key} is missing`);
  }
  return d;
}

export class Diagnostics {
  /** hello: {diagnostics: {window, percentiles, measures, warnings}, schema: [...]} */
  constructor(hello) {
    const d = describedDiagnostics(hello);
    this.window = d.window; // steps a warning looks back over
    this.percentiles = d.percentiles; // e.g. [0, 7, …, 100]
    this.measures = d.measures; // [{name, label, log, warning?, applies?, help}], in history order
    this.warnings = d.warnings; // [{code, title, watch_for}], most serious first
    this.traits = activationTraits(hello.schema || [], this.measures);
  }

  measure(name) {
    return this.measures.find((m) => m.name === name) || null;
  }

  /**
   * Whether a measure means anything for a layer of this activation: a measure with
   * `applies` (an activation property) needs a hidden layer whose activation has it.
   */
  applies(measure, activation, hidden) {
    if (!measure.applies) return true;
    const traits = this.traits.get(activation);
    return !!hidden && !!traits && traits[measure.applies] === true;
  }

  /** The place of a warning code in the engine's order (unknown codes last). */
  rank(code) {
    const i = this.warnings.findIndex((w) => w.code === code);
    return i < 0 ? this.warnings.length : i;
  }

  warning(code) {
    return this.warnings.find((w) => w.code === code) || null;
  }

  /** Index pairs of the percentiles, outermost first, and the median's index. */
  bands() {
    const n = this.percentiles.length;
    const pairs = [];
    for (let i = 0; i < Math.floor(n / 2); i++) pairs.push([i, n - 1 - i]);
    const at50 = this.percentiles.indexOf(50);
    return { pairs, median: at50 >= 0 ? at50 : Math.floor(n / 2) };
  }

  /** "min · 7 · 16 · median · 84 · max" */
  percentileNames() {
    const last = this.percentiles.length - 1;
    return this.percentiles.map((p, i) => (i === 0 && p === 0 ? 'min' : i === last && p === 100 ? 'max' : p === 50 ? 'median' : String(p)))
      .join(' · ');
  }
}

/** Activation name -> its schema choice, for every choice that states a property a measure applies to. */
export function activationTraits(schema, measures) {
  const props = measures.map((m) => m.applies).filter(Boolean);
  const traits = new Map();
  for (const field of schema) {
    for (const choice of field.choices || []) {
      if (props.some((p) => typeof choice[p] === 'boolean')) traits.set(choice.value, choice);
    }
  }
  return traits;
}

/** A measure's value as text: a share as a percentage, anything else in 2 significant digits. */
export function formatMeasure(measure, v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return measure.unit === 'share' ? percent(v).replace('.0%', '%') : fmt(v, 2);
}
