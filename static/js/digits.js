// The output for image inputs: a gallery of fixed test images, each drawn as its
// pixels (nearest neighbour, ink dark on white) with the network's predicted label
// beneath and a ✓ or ✗ that does not rely on colour alone.

const RIGHT = '✓';
const WRONG = '✗';

export class DigitGallery {
  /** choose(i): a click on image i (a CNN shows that image's maps); none: images are not buttons. */
  constructor(container, { choose } = {}) {
    this.root = container;
    this.choose = choose || null;
    this.chosen = -1;
    this.head = document.createElement('div');
    this.head.className = 'digits-head';
    this.grid = document.createElement('div');
    this.grid.className = 'digits-grid';
    container.append(this.head, this.grid);
    this.cells = [];
    this.dataset = null;
    this.key = '';
  }

  /** Draw the sample images once per dataset; the labels change every frame. */
  setDataset(dataset) {
    this.dataset = dataset;
    const s = dataset.samples;
    if (!s || !dataset.imageShape) { this.grid.replaceChildren(); this.cells = []; return; }
    const [h, w] = dataset.imageShape;
    this.cells = [];
    const figures = [];
    for (let i = 0; i < s.n; i++) {
      const fig = document.createElement('figure');
      fig.className = 'digit';
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d');
      const image = ctx.createImageData(w, h);
      for (let p = 0; p < w * h; p++) {
        const v = s.x[i * s.size + p];
        const g = 255 - Math.round(255 * Math.min(1, Math.max(0, v)));
        image.data[p * 4] = g;
        image.data[p * 4 + 1] = g;
        image.data[p * 4 + 2] = g;
        image.data[p * 4 + 3] = 255;
      }
      ctx.putImageData(image, 0, 0);
      const cap = document.createElement('figcaption');
      const label = document.createElement('span');
      label.className = 'pred';
      label.textContent = '–';
      const mark = document.createElement('span');
      mark.className = 'mark';
      cap.append(label, mark);
      fig.append(canvas, cap);
      fig.title = `true label ${labelOf(dataset, s.y[i])}`;
      if (this.choose) fig.addEventListener('click', () => this.choose(i));
      figures.push(fig);
      this.cells.push({ fig, label, mark, truth: s.y[i], shown: null });
    }
    this.grid.replaceChildren(...figures);
    this.head.textContent = `${s.n} test images, predicted label below`;
    this.head.title = `${RIGHT} right, ${WRONG} wrong; hover an image for its true label`;
    this.key = '';
    this.chosen = -1;
  }

  update(frame) {
    const pred = frame.samples && frame.samples.pred;
    if (!pred || !this.dataset) return;
    const chosen = frame.cnn ? frame.cnn.sample.index : -1; // the image whose maps the network panel shows
    if (chosen !== this.chosen) {
      this.cells.forEach((c, i) => { c.fig.dataset.chosen = String(i === chosen); });
      this.chosen = chosen;
    }
    const k = frame.samples.k;
    const prob = frame.samples.prob;
    let right = 0;
    this.cells.forEach((c, i) => {
      const p = pred[i];
      const ok = p === c.truth;
      if (ok) right += 1;
      if (c.shown === p) return; // touch the DOM only when a prediction changes
      c.shown = p;
      c.label.textContent = labelOf(this.dataset, p);
      c.mark.textContent = ok ? RIGHT : WRONG;
      c.fig.dataset.correct = String(ok);
      c.fig.dataset.pred = String(p);
      const conf = prob && k ? ` (${Math.round(100 * prob[i * k + p])}% sure)` : '';
      c.fig.title = `true label ${labelOf(this.dataset, c.truth)}, predicted ${labelOf(this.dataset, p)}${conf}`;
    });
    const text = `${right} / ${this.cells.length}`;
    if (text !== this.key) {
      const b = document.createElement('b');
      b.textContent = text;
      this.head.replaceChildren(b, ` test images right (${RIGHT}), ${this.cells.length - right} wrong (${WRONG})`);
      this.key = text;
    }
  }
}

function labelOf(dataset, v) {
  const labels = dataset.classLabels;
  return labels && labels[v] !== undefined ? labels[v] : String(v);
}
