// The single source of UI state. The server's accepted config lives in
// `config`; user edits not yet confirmed live in `pending` so quick repeated
// clicks (e.g. "+ neuron") build on each other. The confirmed config is
// mirrored into the URL hash so a link reproduces a setup.

const TOKEN_KEY = 'backprop-lab-token:';
const SCHEMA_KEY = 'backprop-lab-schema';

export class State {
  constructor() {
    this.schema = null;
    this.config = {};
    this.pending = {};
    this.inFlight = {}; // per field: sets sent and not yet answered by a config message
    this.configVersion = null;
    this.session = null;
    this.role = null;
    this.connected = false;
    this.running = false;
    this.step = 0;
    this.divergedAt = null;
    this.view = { linkMode: 'W', lossScale: 'linear', showTest: true, tab: 'heatmap', distKind: 'W', netRun: 'a' };
    this.listeners = new Map();
    this.schema = loadCachedSchema();
  }

  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event).push(fn);
  }

  emit(event, ...args) {
    for (const fn of this.listeners.get(event) || []) fn(...args);
  }

  field(name) {
    return this.schema ? this.schema.find((f) => f.name === name) : null;
  }

  /** What the controls should show: accepted config plus edits in flight. */
  effectiveConfig() {
    return { ...this.config, ...this.pending };
  }

  get isController() {
    return this.role === 'controller';
  }

  /** A user edit: remember it and ask the wiring to send it. */
  edit(partial) {
    if (!this.isController) return;
    partial = this.withAllowedValues(partial);
    Object.assign(this.pending, partial);
    for (const name of Object.keys(partial)) this.inFlight[name] = (this.inFlight[name] || 0) + 1;
    this.emit('edit', partial);
    this.emit('config', this.effectiveConfig());
  }

  /**
   * A choice may restrict another field: a dataset's schema entry lists the features
   * that apply to it (`features: [...]`). Changing the choice sends a valid list with
   * it: the allowed values kept, or the first allowed one when none remain.
   */
  withAllowedValues(partial) {
    const out = { ...partial };
    for (const [name, value] of Object.entries(partial)) {
      const f = this.field(name);
      if (!f || f.kind !== 'choice') continue;
      const choice = (f.choices || []).find((c) => c.value === value);
      if (!choice) continue;
      for (const [other, allowed] of Object.entries(choice)) {
        const g = this.field(other);
        if (!g || g.kind !== 'multi' || !Array.isArray(allowed) || !allowed.length) continue;
        const current = other in out ? out[other] : this.effectiveConfig()[other];
        if (!Array.isArray(current)) continue;
        const kept = current.filter((v) => allowed.includes(v));
        if (kept.length !== current.length || !kept.length) out[other] = kept.length ? kept : [allowed[0]];
      }
    }
    return out;
  }

  setView(partial) {
    Object.assign(this.view, partial);
    this.emit('view', this.view);
  }

  // --- server events -------------------------------------------------------

  applyHello(hello) {
    this.schema = hello.schema || this.schema;
    try { localStorage.setItem(SCHEMA_KEY, JSON.stringify(this.schema)); } catch { /* private mode */ }
    this.session = hello.session;
    this.watch = hello.role === 'viewer'; // after a server restart, wait for the presenter's session
    this.role = hello.role;
    if (hello.token) this.token = hello.token;
    this.config = { ...hello.config };
    this.configVersion = hello.config_version;
    this.pending = {};
    this.inFlight = {};
    const st = hello.state || {};
    this.running = !!st.running;
    this.step = st.step || 0;
    this.divergedAt = st.diverged_at ?? null;
    this.connected = true;
    this.writeHash();
    this.emit('role', this.role);
    this.emit('config', this.effectiveConfig());
    this.emit('run', this);
  }

  applyConfig(message) {
    this.config = { ...message.config };
    this.configVersion = message.config_version;
    for (const name of message.changed || []) {
      if (this.inFlight[name]) this.inFlight[name] -= 1;
    }
    // Drop an edit once confirmed, or once the server answered every set of it
    // (it may have normalised the value).
    for (const name of Object.keys(this.pending)) {
      if (sameValue(this.pending[name], this.config[name]) || !this.inFlight[name]) {
        delete this.pending[name];
        delete this.inFlight[name];
      }
    }
    if (message.rebuilt) this.divergedAt = null;
    this.writeHash();
    this.emit('config', this.effectiveConfig());
  }

  /** An edit was refused: drop the edits in flight so controls show the truth again. */
  rejectPending() {
    this.pending = {};
    this.inFlight = {};
    this.emit('config', this.effectiveConfig());
  }

  applyRunState({ running, step, diverged_at: divergedAt }) {
    if (running !== undefined) this.running = running;
    if (step !== undefined) this.step = step;
    if (divergedAt !== undefined) this.divergedAt = divergedAt;
    this.emit('run', this);
  }

  setConnected(connected) {
    this.connected = connected;
    this.emit('connected', connected);
  }

  // --- controller token: per tab, never in the URL ------------------------

  get token() {
    try { return this.session ? sessionStorage.getItem(TOKEN_KEY + this.session) : null; } catch { return null; }
  }

  set token(value) {
    try { if (this.session) sessionStorage.setItem(TOKEN_KEY + this.session, value); } catch { /* ignore */ }
  }

  // --- URL hash ------------------------------------------------------------

  /** Read session and config from the hash (typed by the cached schema when known). */
  readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const config = {};
    let session = null;
    this.watch = false;
    for (const [key, raw] of params) {
      if (key === 'session') { session = raw || null; continue; }
      if (key === 'watch') { this.watch = raw === '1'; continue; }
      const value = parseValue(raw, this.field(key), !!this.schema, this.schema);
      if (value !== undefined) config[key] = value;
    }
    this.session = session;
    return { session, config };
  }

  writeHash() {
    const params = [];
    for (const f of this.schema || []) {
      if (!(f.name in this.config)) continue;
      const v = this.config[f.name];
      if (f.kind === 'compare') { if (v) params.push(`${f.name}=${encodeCompare(v)}`); continue; } // off: left out
      params.push(`${f.name}=${encodeValue(v)}`);
    }
    if (this.session) params.push(`session=${encodeURIComponent(this.session)}`);
    if (this.watch) params.push('watch=1');
    const hash = '#' + params.join('&');
    if (hash !== location.hash) history.replaceState(null, '', hash);
  }

  /** Link for students: the session id alone, so it never carries a token. */
  shareUrl() {
    return `${location.origin}${location.pathname}#session=${encodeURIComponent(this.session || '')}&watch=1`;
  }
}

function loadCachedSchema() {
  try { return JSON.parse(localStorage.getItem(SCHEMA_KEY) || 'null'); } catch { return null; }
}

/** {field: "activation", value: "relu"} -> "activation:relu" */
function encodeCompare(v) {
  return `${encodeURIComponent(v.field)}:${encodeValue(v.value)}`;
}

function encodeValue(v) {
  if (Array.isArray(v)) return v.map((x) => encodeURIComponent(String(x))).join(',');
  return encodeURIComponent(String(v));
}

/**
 * Typed by schema kind when the schema is known; otherwise guessed, and
 * corrected after hello (see main.js) once the schema arrives.
 */
export function parseValue(raw, field, schemaKnown, schema = null) {
  if (field && field.kind === 'compare') {
    // "activation:relu" -> {field: "activation", value: "relu"}, typed by that field's entry.
    if (raw === '' || raw === 'off' || raw === 'null') return null;
    const at = raw.indexOf(':');
    if (at <= 0) return undefined;
    const name = raw.slice(0, at);
    const sub = schema ? schema.find((f) => f.name === name) : null;
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
    case 'choice': return values.includes(v);
    case 'multi': return Array.isArray(v) && v.length > 0 && v.every((x) => values.includes(x));
    case 'per_layer': return Array.isArray(v) && v.length <= (field.max_layers ?? Infinity)
      && v.every((x) => values.includes(x));
    case 'compare': {
      if (v === null) return true;
      if (!v || typeof v !== 'object' || !(field.fields || []).includes(v.field)) return false;
      const sub = schema ? schema.find((f) => f.name === v.field) : null;
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
