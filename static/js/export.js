// "Export ▾": the run as a PyTorch script or a Jupyter notebook that rebuilds it step for step
// (engine/export_torch.py). The page posts the session's config; the server validates it, draws
// the same data from its seed and builds the file (POST /export/torch.py?steps=N, server/export.py);
// the page only saves what comes back, or shows the server's refusal in the banner.
// The history (CSV) and the weights (NPZ, JSON) of the step shown are the session's own: asked
// for over the websocket ({"type": "export", "file": ...}), built by the server with
// `backprop-lab train`'s code, and saved from the `file` message that answers (save). A panel's
// picture (PNG) is made in the page from what it shows (panelpng.js).

import { panelPng, pngName } from './panelpng.js';

export const MAX_STEPS = 10000; // the server's limit (server/export.py, MAX_STEPS)
const DEFAULT_STEPS = 100; // before the first step: a script worth running

const FILES = [
  { ext: 'py', title: 'PyTorch script (.py)', note: "prints each step's loss beside the engine's" },
  { ext: 'ipynb', title: 'Jupyter notebook (.ipynb)', note: 'the same code, in cells' },
  { file: 'history.csv', title: 'History (.csv)', note: 'a row per step, a column per measure' },
  { file: 'weights.npz', title: 'Weights (.npz)', note: 'every weight and bias at the step shown' },
  { file: 'weights.json', title: 'Weights (.json)', note: 'the same, as JSON' },
  { panel: 'network', title: 'Network picture (.png)', note: 'the diagram as this screen shows it' },
  { panel: 'output', title: 'Output picture (.png)', note: 'the output plot as shown' },
  { panel: 'loss', title: 'Loss picture (.png)', note: 'the loss chart as shown' },
  { panel: 'gradients', title: 'Gradient health picture (.png)', note: 'the heatmaps as shown' },
];

/** The bytes of a `file` message's base64. */
export function fileBytes(base64) {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** The steps the file rebuilds: the run's so far, or DEFAULT_STEPS before its first. */
export function exportSteps(step) {
  return step > 0 ? Math.min(step, MAX_STEPS) : DEFAULT_STEPS;
}

/** The route for one file; the session id rides along for a proxy that routes by it. */
export function exportUrl(ext, step, session) {
  const q = `steps=${exportSteps(step)}` + (session ? `&session=${encodeURIComponent(session)}` : '');
  return `/export/torch.${ext}?${q}`;
}

/** Whether a feed-forward network learns the config's dataset: the schema shows `hidden` for those only. */
export function exportable(config, hiddenField) {
  const only = hiddenField && hiddenField.when && hiddenField.when.dataset;
  return !only || only.includes(config.dataset);
}

export class Export {
  constructor(page) {
    this.page = page;
    this.button = page.$('#btn-export');
    this.menu = page.$('#export-menu');
    if (!this.button || !this.menu) return;
    page.exporter = this; // page.js hands it the `file` messages
    this.menu.replaceChildren(...FILES.map(menuItem));
    this.button.addEventListener('click', () => this.toggle(this.menu.hidden));
    this.menu.addEventListener('click', (e) => {
      const b = e.target.closest('[data-ext], [data-file], [data-panel]');
      if (!b) return;
      this.toggle(false);
      if (b.dataset.panel) this.picture(b.dataset.panel);
      else if (b.dataset.file) this.page.send({ type: 'export', file: b.dataset.file });
      else this.download(b.dataset.ext);
    });
    this.menu.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      this.toggle(false);
      this.button.focus();
    });
    document.addEventListener('pointerdown', (e) => {
      if (!this.menu.hidden && !this.menu.contains(e.target) && !this.button.contains(e.target)) this.toggle(false);
    });
  }

  toggle(open) {
    this.menu.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    if (open) this.menu.querySelector('.menu-item').focus();
  }

  async download(ext) {
    const { state, banner } = this.page;
    if (!exportable(state.config, state.field('hidden'))) {
      banner.showError('Export: recurrent networks are not exported to PyTorch yet; feed-forward ones are.');
      return;
    }
    let res;
    try {
      res = await fetch(exportUrl(ext, state.step, state.session), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(state.config),
      });
    } catch {
      banner.showError('Export failed: the server could not be reached.');
      return;
    }
    if (!res.ok) {
      banner.showError(`Export refused: ${await res.text()}`);
      return;
    }
    saveAs(await res.blob(), `backprop-lab-run.${ext}`);
  }

  /** A panel as a PNG at this screen's pixel density, named by panel and step. */
  async picture(panel) {
    const el = this.page.$(`#${panel}`);
    this.page.painter.settle(); // a chart resting while the run plays is drawn with the newest frame first
    try {
      saveAs(await panelPng(el), pngName(panel, this.page.frame ? this.page.frame.step : 0)); // the step drawn
    } catch (err) {
      this.page.banner.showError(`The picture could not be made: ${err.message}`);
    }
  }

  /** A `file` message: the server's history or weights, saved as it named them. */
  save(m) {
    saveAs(new Blob([fileBytes(m.base64)], { type: m.media }), m.name);
  }
}

function saveAs(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000); // once the browser has saved it
}

function menuItem({ ext, file, panel, title, note }) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'menu-item';
  b.setAttribute('role', 'menuitem');
  if (ext) b.dataset.ext = ext;
  else if (panel) b.dataset.panel = panel;
  else b.dataset.file = file;
  const t = document.createElement('span');
  t.className = 'menu-item-title';
  t.textContent = title;
  const n = document.createElement('span');
  n.className = 'menu-item-note';
  n.textContent = note;
  b.append(t, n);
  return b;
}
