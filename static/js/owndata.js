// Your own points (dataset "own" on the plane, "own_line" on a curve): tap the output plot
// to add a point of the chosen class (on the curve: the y where you tap), or in remove mode
// to take the nearest one away; clear them all, load a CSV, save them as one. The page only
// sends what the user did; the server checks it, and its config (hello, `config`) and
// dataset message are what is drawn. docs/protocol.md, "Your own points".

import { pointerAt } from './canvas.js';
import { CLASS_COLORS, classColor } from './colors.js';
import { pointsInLink, LINK_POINTS_CHARS } from './urlstate.js';

const HIT_MOUSE = 10; // CSS pixels from a point's centre that still hit it
const HIT_TOUCH = 22; // a fingertip is wider than a cursor
const CLASSES = 6;

/** The schema's points field of a dataset ("own" -> points), or null. */
export function pointsField(schema, dataset) {
  return (schema || []).find((f) => f.kind === 'points' && f.when?.dataset?.includes(dataset)) || null;
}

/** A new row where the user tapped: the plane's [x1, x2, class] or the curve's [x, y], to 2 decimals in x. */
export function newRow(field, x, y, cls) {
  const r2 = (v) => Math.round(v * 100) / 100;
  return field.columns.length === 3 ? [r2(x), r2(y), cls] : [r2(x), Number(y.toPrecision(4))];
}

/** The point of a dataset part set (train, test) drawn nearest to p within radius: its [x, y], or null. */
export function nearestPoint(parts, toPixel, p, radius) {
  let best = null;
  let bestD = radius * radius;
  for (const part of parts) {
    const dim = part.n ? part.x.length / part.n : 0;
    for (let i = 0; i < part.n; i++) {
      const at = dim === 2 ? [part.x[2 * i], part.x[2 * i + 1]] : [part.x[i], part.y[i]];
      const q = toPixel(at);
      const d = (q.x - p.x) ** 2 + (q.y - p.y) ** 2;
      if (d <= bestD) { bestD = d; best = at; }
    }
  }
  return best;
}

/** The rows as a CSV file the upload reads back. */
export function csvOf(field, rows) {
  return [field.columns.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

/** What the panel says of the points: how many, and whether the page's link carries them. */
export function pointsNote(rows) {
  if (rows === null || rows === undefined) return 'A starter set: tap the output plot to add a point.';
  if (!rows.length) return 'No points: tap the output plot to add some (2 or more to train).';
  const n = rows.length === 1 ? '1 point' : `${rows.length.toLocaleString('en')} points`;
  if (pointsInLink(rows)) return `${n}, in the page's link.`;
  return `${n}: too many for the page's link (it carries about ${Math.floor(LINK_POINTS_CHARS / 16)}), which leaves them `
    + "out. Viewers and a reload still see them; 'save' writes them to a CSV file to share.";
}

/** The file's bytes in base64, as the `upload` message carries them. */
export function base64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export class OwnData {
  constructor(page) {
    this.page = page;
    this.box = page.$('#owndata');
    this.editButton = page.$('#own-edit');
    this.note = page.$('#own-note');
    this.classes = page.$('#own-classes');
    this.file = page.$('#own-file');
    this.mode = 'add';
    this.cls = 0;
    for (const b of page.$$('.own-mode')) b.addEventListener('click', () => { this.mode = b.dataset.mode; this.render(); });
    page.$('#own-clear').addEventListener('click', () => this.send({ clear: true }));
    page.$('#own-save').addEventListener('click', () => this.save());
    page.$('#own-load').addEventListener('click', () => this.file.click());
    this.file.addEventListener('change', () => this.upload());
    this.editButton.addEventListener('click', () => this.send({ edit: true }));
    for (const name of ['output', 'curve']) {
      const plot = page.widget(name);
      plot.canvas.addEventListener('click', (e) => this.tap(plot, e));
    }
    page.state.on('config', () => this.render());
    page.state.on('role', () => this.render());
  }

  get field() { return pointsField(this.page.state.schema, this.page.state.config.dataset); }

  send(fields) { if (this.page.state.isController) this.page.send({ type: 'points', ...fields }); }

  /** The button that makes a generated set's points your own: on 2-D classes and curves (the server decides). */
  editable() {
    const { state } = this.page;
    const choice = state.field('dataset')?.choices?.find((c) => c.value === state.config.dataset);
    if (!choice || this.field) return false;
    return (choice.inputs === 'plane' && choice.problem !== 'regression') || (choice.inputs === 'line' && choice.problem === 'regression');
  }

  render() {
    const { state } = this.page;
    const field = this.field;
    const controller = state.isController;
    this.editButton.hidden = !(controller && this.editable());
    this.box.hidden = !(controller && field);
    this.page.root.body.dataset.owndata = field && controller ? this.mode : '';
    if (!field || !controller) return;
    const plane = field.columns.length === 3;
    this.classes.hidden = !plane;
    if (plane) this.renderClasses();
    for (const b of this.page.$$('.own-mode')) b.setAttribute('aria-pressed', String(b.dataset.mode === this.mode));
    this.note.textContent = pointsNote(state.config[field.name]);
  }

  renderClasses() {
    // As output.js will draw them: two classes in the binary colours, more in the class palette.
    const rows = this.page.state.config.points;
    const binary = !rows || rows.every((r) => r[2] < 2);
    const colour = (k) => (binary && k < 2 ? [CLASS_COLORS.neg, CLASS_COLORS.pos][k] : classColor(k));
    const buttons = Array.from({ length: CLASSES }, (_, k) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'own-class';
      b.textContent = String(k + 1);
      b.style.setProperty('--swatch', colour(k));
      b.setAttribute('aria-pressed', String(k === this.cls));
      b.title = `New points are class ${k + 1} (label ${k} in a CSV)`;
      b.addEventListener('click', () => { this.cls = k; this.mode = 'add'; this.render(); });
      return b;
    });
    this.classes.replaceChildren(...buttons);
  }

  /** A tap on the plot: a point added where it fell, or the nearest one removed. */
  tap(plot, e) {
    const field = this.field;
    if (!field || !this.page.state.isController || plot.explain || !plot.frame) return;
    const map = mapping(plot);
    if (!map) return;
    const p = pointerAt(plot.canvas, e);
    if (this.mode === 'remove') {
      const hit = nearestPoint([plot.dataset.train, plot.dataset.test], map.toPixel, p,
        e.pointerType === 'touch' || e.pointerType === 'pen' ? HIT_TOUCH : HIT_MOUSE);
      if (hit) this.send({ remove: [hit] });
      return;
    }
    const at = map.toData(p);
    if (at) this.send({ add: [newRow(field, at.x, at.y, this.cls)] });
  }

  async upload() {
    const file = this.file.files[0];
    this.file.value = ''; // the same file again is a new choice
    const field = this.field || pointsField(this.page.state.schema, 'own');
    if (!file || !field) return;
    if (file.size > field.max_bytes) { // more than one message can carry: the server never sees it
      this.page.banner.showError(`csv: the file is ${file.size.toLocaleString('en')} bytes; at most ${field.max_bytes.toLocaleString('en')} can be sent`);
      return;
    }
    this.page.send({ type: 'upload', csv: base64(new Uint8Array(await file.arrayBuffer())) });
  }

  save() {
    const field = this.field;
    const rows = field && this.page.state.config[field.name];
    if (!rows) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([csvOf(field, rows)], { type: 'text/csv' }));
    a.download = `backprop-lab-${this.page.state.config.dataset === 'own' ? 'points' : 'curve'}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
}

/** A plot's data <-> CSS pixel mapping, as it last drew: the square plane, or the curve's axes. */
function mapping(plot) {
  if (plot.geometry) {
    const { extent: [xmin, xmax, ymin, ymax], ox, oy, size } = plot.geometry;
    return {
      toPixel: ([x, y]) => ({ x: ox + ((x - xmin) / (xmax - xmin)) * size, y: oy + ((ymax - y) / (ymax - ymin)) * size }),
      toData: (p) => {
        const x = xmin + ((p.x - ox) / size) * (xmax - xmin);
        const y = ymax - ((p.y - oy) / size) * (ymax - ymin);
        return x >= xmin && x <= xmax && y >= ymin && y <= ymax ? { x, y } : null;
      },
    };
  }
  if (plot.map && plot.dataset) {
    const { X, Y } = plot.map; // linear: inverted from two values
    const [xmin, xmax] = plot.dataset.extent;
    const [ylo, yhi] = plot.yRange;
    return {
      toPixel: ([x, y]) => ({ x: X(x), y: Y(y) }),
      toData: (p) => {
        const x = (p.x - X(0)) / (X(1) - X(0));
        const y = (p.y - Y(0)) / (Y(1) - Y(0));
        return x >= xmin && x <= xmax && y >= ylo && y <= yhi ? { x, y } : null;
      },
    };
  }
  return null;
}
