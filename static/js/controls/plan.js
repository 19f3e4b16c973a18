// Which controls the schema asks for and what they show: the pure half of the
// controls package (no DOM, tested under Node). The schema (hello.schema) decides
// everything: groups, labels, help, ranges, and `when` rules.

export function humanize(name) {
  return name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, ' ');
}

export function labelOf(field) {
  return field.label || humanize(field.name);
}

/**
 * The controls to build, in order: every field of a kind this page knows (`known`:
 * the kinds of the factory table), the first `layers` field, and the `per_layer`
 * fields after it (they live in its editor's columns, so they need it). A kind the
 * page does not know gets no control: the server's default applies.
 */
export function plan(schema, known) {
  const fields = (schema || []).filter((f) => known.includes(f.kind));
  const layers = fields.find((f) => f.kind === 'layers');
  const main = fields.filter((f) => f.kind !== 'per_layer' && (f.kind !== 'layers' || f === layers));
  const perLayer = layers ? fields.filter((f) => f.kind === 'per_layer') : [];
  return [...main, ...perLayer].map((field) => ({
    field,
    name: field.name,
    kind: field.kind,
    group: field.group || null,
    label: labelOf(field),
    help: field.help || '',
    id: `field-${field.name}`,
  }));
}

/** `when`: a setting that only matters for some choices (Adam's betas) hides otherwise;
 * `without`: one that a CNN does not have (batch norm) hides while there are conv blocks;
 * `unless`: hidden while one of those `when`s holds (an LSTM has no use for the activation). */
export function isShown(field, config) {
  const holds = (when) => Object.entries(when).every(([k, values]) => values.includes(config[k]));
  const listed = (k) => Array.isArray(config[k]) && config[k].length > 0;
  if ((field.without || []).some(listed) || (field.unless || []).some(holds)) return false;
  return !field.when || holds(field.when);
}

/** The value a control shows: the config's, or the schema's default while the config has none. */
export function shownValue(field, config) {
  return field.name in config ? config[field.name] : field.default;
}

/** The controls shown for a config, each with its value: {name, value, ...} in build order. */
export function shownControls(schema, config, known) {
  return plan(schema, known)
    .filter((c) => isShown(c.field, config))
    .map((c) => ({ ...c, value: shownValue(c.field, config) }));
}

/**
 * The values of a multi field that apply under a config: a choice's schema entry may
 * list them under the field's name (a dataset lists its features). null: all. The
 * server keeps the config to these; the page only greys out the others.
 */
export function allowedValues(schema, name, config) {
  let allowed = null;
  for (const f of schema || []) {
    if (f.kind !== 'choice') continue;
    const choice = (f.choices || []).find((c) => c.value === config[f.name]);
    if (choice && Array.isArray(choice[name])) allowed = choice[name];
  }
  return allowed;
}

/** How a number is entered: a menu of presets, a slider (bounded), or a plain box. */
export function numberStyle(field) {
  if (field.presets) return 'presets';
  if (!Number.isFinite(field.min) || !Number.isFinite(field.max)) return 'box';
  return field.kind === 'number' || field.max - field.min <= 10000 ? 'slider' : 'box';
}

/** A value for run B that differs from A's: the next choice, or a preset, or double. */
export function otherValue(field, a) {
  if (!field) return null;
  if (field.kind === 'choice') {
    const values = (field.choices || []).map((c) => c.value);
    return values.find((v) => v !== a) ?? a;
  }
  if (field.kind === 'bool') return !a;
  if (field.presets && field.presets.length) {
    const larger = field.presets.find((p) => p > a);
    return larger ?? field.presets.find((p) => p !== a) ?? a;
  }
  const v = typeof a === 'number' ? (a ? a * 2 : 0.5) : field.default;
  return Number.isFinite(field.max) ? Math.min(field.max, v) : v;
}

/**
 * The network-wide choice an empty entry of a per-layer field follows: the choice
 * field offering the same values (layer_activations -> activation), or null.
 */
export function fallbackOf(field, schema) {
  const values = (field.choices || []).map((c) => c.value).filter((v) => v !== '');
  return (schema || []).find((f) => f.kind === 'choice' && sameSet((f.choices || []).map((c) => c.value), values)) || null;
}

function sameSet(a, b) {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((v) => sa.has(v));
}

/**
 * The list to send when layer i's entry becomes `value`: one entry per hidden
 * layer ("" = follow the network-wide setting), or [] when every entry is "".
 */
export function perLayerList(current, layers, i, value) {
  const list = Array.from({ length: layers }, (_, k) => (Array.isArray(current) && current[k]) || '');
  if (i >= 0 && i < layers) list[i] = value;
  return list.every((v) => v === '') ? [] : list;
}

/** A per-layer list kept aligned with the layers after one was added or removed. */
export function alignPerLayer(current, layers, change) {
  if (!Array.isArray(current) || !current.length) return current;
  const list = [...current];
  if (change && change.removed !== undefined) list.splice(change.removed, 1);
  if (change && change.added !== undefined) list.splice(change.added, 0, '');
  list.length = Math.min(list.length, layers);
  return perLayerList(list, layers, -1, '');
}

/** The features panel's note: what the inputs are when the features do not apply. */
export function featuresNote(schema, config, dataset) {
  const f = (schema || []).find((x) => x.name === 'dataset');
  const choice = f && (f.choices || []).find((c) => c.value === config.dataset);
  if (choice && choice.inputs === 'image') {
    const shape = dataset && dataset.inputs === 'image' && dataset.imageShape;
    return shape ? `inputs: the ${shape[0] * shape[1]} pixels (${shape[0]}×${shape[1]})` : 'inputs: the image’s pixels';
  }
  if (choice && choice.inputs === 'line') return 'one input, x₁: features of x₂ do not apply';
  return '';
}
