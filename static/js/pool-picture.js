// The picture of a run in the spotlight (server/pool_picture.py), drawn by the page's own
// widgets: the output plot (output.js) for a run over the plane, the curve plot (curve.js) for
// a run along a line, the loss chart (loss.js) otherwise. This module only turns the `pool`
// message's picture into the dataset and frame those widgets draw; every number is the server's.

import { OutputPlot } from './output.js';
import { CurvePlot } from './curve.js';
import { LossChart } from './loss.js';
import { History } from './history.js';

/** A picture's array ({shape, data: base64 of little-endian float32}) as a Float32Array. */
export function floats(block) {
  const text = atob(block.data);
  const view = new DataView(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) view.setUint8(i, text.charCodeAt(i));
  return Float32Array.from({ length: text.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
}

const part = (p) => ({ x: floats(p.x), y: floats(p.y), n: p.y.shape[0] });

/** A plane or line picture as the dataset message the widgets take (protocol.js's shape). */
export function pictureDataset(pic) {
  const classes = pic.classes ?? (pic.problem === 'regression' ? 1 : 2);
  return {
    kind: 'dataset', problem: pic.problem || (pic.kind === 'line' ? 'regression' : 'classification'),
    inputs: pic.kind, classes, classLabels: pic.class_labels || null, extent: pic.extent,
    train: part(pic.train), test: part(pic.test),
  };
}

/** A plane or line picture as the frame the widgets take. */
export function pictureFrame(pic) {
  if (pic.kind === 'line') {
    const x = floats(pic.curve.x), y = floats(pic.curve.y);
    return { curve: { x, y, n: Math.min(x.length, y.length) }, columns: [], metrics: {} };
  }
  const shape = pic.output.shape;
  return {
    grid: { res: shape[shape.length - 1], extent: pic.extent, output: floats(pic.output), outputClasses: shape.length === 3 ? shape[0] : 1 },
    columns: [],
    metrics: { per_class_accuracy: pic.per_class_accuracy || [] },
  };
}

/** A loss picture as the history the loss chart reads: each evaluated step at its own step. */
export function pictureHistory(pic) {
  const history = new History();
  const steps = floats(pic.steps), train = floats(pic.train_loss), test = floats(pic.test_loss);
  steps.forEach((s, i) => {
    history.trainLoss.write(s, train.subarray(i, i + 1));
    history.testLoss.write(s, test.subarray(i, i + 1));
  });
  return history;
}

/** The spotlight's picture box: shows one picture, made again only when the kind changes. */
export class PoolPicture {
  constructor(box) {
    this.box = box;
    this.kind = null;
    this.widget = null;
    this.pic = null;
    // Drawn again at its new size (canvas.js measures it first: a frame later), and in or out
    // of presentation mode (present.js: larger drawing units).
    const redraw = () => requestAnimationFrame(() => this.widget?.redraw());
    new ResizeObserver(redraw).observe(box);
    new MutationObserver(redraw).observe(box.ownerDocument.body, { attributes: true, attributeFilter: ['data-present'] });
  }

  show(pic) {
    this.box.hidden = !pic;
    this.box.dataset.kind = pic?.kind ?? '';
    if (!pic || pic === this.pic) return;
    this.pic = pic;
    if (pic.kind !== this.kind || pic.kind === 'loss') { // a loss chart is made with its history
      this.box.replaceChildren();
      this.kind = pic.kind;
      this.widget = pic.kind === 'plane' ? new OutputPlot(this.box)
        : pic.kind === 'line' ? new CurvePlot(this.box) : new LossChart(this.box, pictureHistory(pic));
    }
    if (pic.kind === 'loss') this.widget.update({});
    else {
      this.widget.setDataset(pictureDataset(pic));
      this.widget.update(pictureFrame(pic));
    }
  }
}
