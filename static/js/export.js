// "Export ▾": the run as a PyTorch script or a Jupyter notebook that rebuilds it step for step
// (engine/export_torch.py). The page posts the session's config; the server validates it, draws
// the same data from its seed and builds the file (POST /export/torch.py?steps=N, server/export.py);
// the page only saves what comes back, or shows the server's refusal in the banner.

export const MAX_STEPS = 10000; // the server's limit (server/export.py, MAX_STEPS)
const DEFAULT_STEPS = 100; // before the first step: a script worth running

const FILES = [
  { ext: 'py', title: 'PyTorch script (.py)', note: "prints each step's loss beside the engine's" },
  { ext: 'ipynb', title: 'Jupyter notebook (.ipynb)', note: 'the same code, in cells' },
];

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
    this.menu.replaceChildren(...FILES.map(menuItem));
    this.button.addEventListener('click', () => this.toggle(this.menu.hidden));
    this.menu.addEventListener('click', (e) => {
      const b = e.target.closest('[data-ext]');
      if (!b) return;
      this.toggle(false);
      this.download(b.dataset.ext);
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
    if (open) this.menu.querySelector('[data-ext]').focus();
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
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await res.blob());
    a.download = `backprop-lab-run.${ext}`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000); // once the browser has saved it
  }
}

function menuItem({ ext, title, note }) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'menu-item';
  b.setAttribute('role', 'menuitem');
  b.dataset.ext = ext;
  const t = document.createElement('span');
  t.className = 'menu-item-title';
  t.textContent = title;
  const n = document.createElement('span');
  n.className = 'menu-item-note';
  n.textContent = note;
  b.append(t, n);
  return b;
}
