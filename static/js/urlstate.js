// URL state: the session and the config in the hash, so a link reproduces a setup.
// One declarative rule per schema kind (parse, encode, fits), no DOM: tested under Node.
// The hash is read before the schema is known (values guessed) and again with it
// (linkCorrections), once hello has brought the schema.

// Your own points ride in the link while they fit in this many characters (a few hundred
// points); more are left out, and the page says so (owndata.js). Rows are "x1_x2_label"
// joined by "~": characters a URL carries as they are.
export const LINK_POINTS_CHARS = 4000;

/** [[1.5, -2, 1], [0, 3, 0]] -> "1.5_-2_1~0_3_0" */
export function encodePoints(rows) {
  return rows.map((r) => r.join('_')).join('~');
}

/** Whether a points setting travels in the link: null (the starter set) does, as the default. */
export function pointsInLink(rows) {
  return rows === null || rows === undefined || encodePoints(rows).length <= LINK_POINTS_CHARS;
}

/** A block kind's settings, as the schema describes them (null: a kind it does not name). */
function blockSettings(field, kind) {
  const c = (field.choices || []).find((x) => x.value === kind);
  return c ? c.settings || [] : null;
}

/** Conv blocks in a link: "conv.8.3.1.1~max_pool", each kind then its settings in the schema's order (bools 1/0). */
export function encodeBlocks(blocks, field) {
  return (blocks || []).map((b) => [b.kind, ...(blockSettings(field, b.kind) || [])
    .map((st) => (st.kind === 'bool' ? (b[st.name] ? 1 : 0) : b[st.name]))].join('.')).join('~');
}

function parseBlocks(raw, field) {
  const blocks = [];
  for (const part of raw === '' ? [] : raw.split('~')) {
    const [kind, ...values] = part.split('.');
    const settings = blockSettings(field, kind);
    if (!settings || values.length > settings.length) return undefined;
    const block = { kind };
    for (const [i, v] of values.entries()) {
      const st = settings[i];
      block[st.name] = st.kind === 'bool' ? v === '1' : Number(v);
    }
    blocks.push(block);
  }
  return blocks;
}

/** The hash of a setup: every config field the schema names, then the session. */
export function writeHash(schema, config, session = null, watch = false) {
  const params = [];
  for (const f of schema || []) {
    if (!(f.name in config)) continue;
    const v = config[f.name];
    if (f.kind === 'compare') { if (v) params.push(`${f.name}=${encodeCompare(v)}`); continue; } // off: left out
    if (f.kind === 'points') { if (v && pointsInLink(v)) params.push(`${f.name}=${encodePoints(v)}`); continue; }
    if (f.kind === 'blocks') { params.push(`${f.name}=${encodeBlocks(v, f)}`); continue; }
    params.push(`${f.name}=${encodeValue(v)}`);
  }
  if (session) params.push(`session=${encodeURIComponent(session)}`);
  if (watch) params.push('watch=1');
  return '#' + params.join('&');
}

/** Students' link: the session id alone, so it never carries a token. */
export function shareHash(session) {
  return `#session=${encodeURIComponent(session || '')}&watch=1`;
}

/**
 * {session, watch, config} from a hash ("#a=1&b=2" or "a=1&b=2"): typed by the schema
 * when it is known, else guessed. A field left out stays out (the server's default applies).
 */
export function readHash(hash, schema = null) {
  const config = {};
  let session = null;
  let watch = false;
  for (const [key, raw] of new URLSearchParams(hash.replace(/^#/, ''))) {
    if (key === 'session') { session = raw || null; continue; }
    if (key === 'watch') { watch = raw === '1'; continue; }
    const value = parseValue(raw, fieldOf(schema, key), !!schema, schema);
    if (value !== undefined) config[key] = value;
  }
  return { session, watch, config };
}

/**
 * A link's values read again with the schema, against the config a new session
 * started with: `fix` (good values the guess got wrong, sent together), `bad` (out of
 * range: each sent alone, so the server's error names it and the good ones stay), and
 * `fields` (every name the link set, whose "default was used" from the join is stale).
 */
export function linkCorrections(hash, schema, config) {
  const fix = {};
  const bad = [];
  const fields = new Set();
  for (const [key, raw] of new URLSearchParams(hash.replace(/^#/, ''))) {
    const f = fieldOf(schema, key);
    if (!f) continue;
    const v = parseValue(raw, f, true, schema);
    if (v === undefined) continue;
    fields.add(key);
    if (sameValue(v, config[key])) continue;
    if (fitsSchema(f, v, schema)) fix[key] = v;
    else bad.push({ [key]: v });
  }
  return { fix, bad, fields };
}

/** {field: "activation", value: "relu"} -> "activation:relu" */
function encodeCompare(v) {
  return `${encodeURIComponent(v.field)}:${encodeValue(v.value)}`;
}

function encodeValue(v) {
  if (Array.isArray(v)) return v.map((x) => encodeURIComponent(String(x))).join(',');
  return encodeURIComponent(String(v));
}

function fieldOf(schema, name) {
  return schema ? schema.find((f) => f.name === name) || null : null;
}

/** One value from the hash, typed by its schema entry; undefined: leave it out. */
export function parseValue(raw, field, schemaKnown, schema = null) {
  if (field && field.kind === 'compare') {
    // "activation:relu" -> {field: "activation", value: "relu"}, typed by that field's entry.
    if (raw === '' || raw === 'off' || raw === 'null') return null;
    const at = raw.indexOf(':');
    if (at <= 0) return undefined;
    const name = raw.slice(0, at);
    const sub = fieldOf(schema, name);
    const value = sub ? parseValue(raw.slice(at + 1), sub, true) : raw.slice(at + 1);
    return value === undefined ? undefined : { field: name, value };
  }
  if (field) {
    const parts = raw === '' ? [] : raw.split(',');
    switch (field.kind) {
      case 'layers': return parts.map(Number).filter(Number.isFinite);
      case 'multi': return parts;
      // One entry per hidden layer, "" = the network-wide setting: "relu,,gelu".
      case 'per_layer': return parts;
      case 'bool': return raw === 'true';
      case 'blocks': return parseBlocks(raw, field);
      case 'points': {
        const rows = raw === '' ? [] : raw.split('~').map((r) => r.split('_').map(Number));
        return rows.every((r) => r.every(Number.isFinite)) ? rows : undefined;
      }
      case 'number':
      case 'integer': return raw === '' || !Number.isFinite(Number(raw)) ? undefined : Number(raw);
      case 'choice': {
        const hit = (field.choices || []).find((c) => String(c.value) === raw);
        return hit ? hit.value : raw;
      }
      default: return undefined; // a kind this page does not know: leave it to the server's default
    }
  }
  if (schemaKnown) return undefined; // unknown field: leave it out
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw === '') return [];
  const asNumber = (s) => (s !== '' && Number.isFinite(Number(s)) ? Number(s) : s);
  if (raw.includes(',')) return raw.split(',').map(asNumber);
  return asNumber(raw);
}

/**
 * A loose check of a value against its schema entry, only to keep one bad
 * value in a shared link from sinking the good ones (the server validates).
 */
export function fitsSchema(field, v, schema = null) {
  const inRange = (x, lo, hi) => typeof x === 'number' && Number.isFinite(x)
    && !(Number.isFinite(lo) && x < lo) && !(Number.isFinite(hi) && x > hi);
  const values = (field.choices || []).map((c) => c.value);
  switch (field.kind) {
    case 'number': return inRange(v, field.min, field.max);
    case 'integer': return Number.isInteger(v) && inRange(v, field.min, field.max);
    case 'bool': return typeof v === 'boolean';
    case 'points': return v === null || (Array.isArray(v) && v.length <= (field.max ?? Infinity)
      && v.every((r) => Array.isArray(r) && r.length === (field.columns || []).length && r.every(Number.isFinite)));
    case 'choice': return values.includes(v);
    case 'blocks': return Array.isArray(v) && v.length <= (field.max_layers ?? Infinity)
      && v.every((b) => b && blockSettings(field, b.kind) !== null);
    case 'multi': return Array.isArray(v) && v.length > 0 && v.every((x) => values.includes(x));
    case 'per_layer': return Array.isArray(v) && v.length <= (field.max_layers ?? Infinity)
      && v.every((x) => values.includes(x));
    case 'compare': {
      if (v === null) return true;
      if (!v || typeof v !== 'object' || !(field.fields || []).includes(v.field)) return false;
      const sub = fieldOf(schema, v.field);
      return !sub || fitsSchema(sub, v.value, schema);
    }
    case 'layers': return Array.isArray(v) && inRange(v.length, field.min_layers, field.max_layers)
      && v.every((n) => Number.isInteger(n) && inRange(n, field.min, field.max));
    default: return true;
  }
}

export function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The page's own address bar (only touched when called, so this module loads under Node).
 * `base` is the address students reach this server at, which the server puts in the page
 * (server/share.py: not `localhost` when it listens beyond loopback), else the page's own. */
export const browserUrl = {
  read: () => location.hash,
  write(hash) { if (hash !== location.hash) history.replaceState(null, '', hash); },
  base: () => document.querySelector('meta[name=share-base]')?.content || `${location.origin}${location.pathname}`,
  absolute: (hash) => `${browserUrl.base()}${hash}`,
};
