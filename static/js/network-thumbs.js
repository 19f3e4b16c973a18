// The diagram's neurons: each a thumbnail of its output over the input plane
// (grid.nodes{j}), or, for image inputs, a square shaded by its mean activation.

import { DIVERGING, classLut, cssColor, paintImage } from './colors.js';

/**
 * Every neuron's thumbnail stacked in one raster (r × r each, column by column):
 * one putImageData per frame. Inputs are scaled to their own range (x₁² spans up to
 * 36), probabilities to [0, 1], the rest to [-1, 1].
 */
export function paintAtlas(raster, frame, problem) {
  const r = frame.grid.nodeRes;
  const total = frame.columns.reduce((a, c) => a + c.size, 0);
  const image = raster.begin(r, r * total);
  let row = 0;
  const last = frame.columns.length - 1;
  frame.grid.nodes.forEach((data, j) => {
    const n = frame.columns[j].size;
    for (let k = 0; k < n; k++) {
      const values = data.subarray(k * r * r, (k + 1) * r * r);
      let lo = -1;
      let hi = 1;
      if (j === 0) {
        let m = 0;
        for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
        lo = -(m || 1); hi = m || 1;
      } else if (j === last && problem !== 'regression') {
        lo = 0; hi = 1;
      }
      // K classes: each output neuron's probability from white to its class colour.
      const lut = j === last && problem === 'multiclass' ? classLut(k) : DIVERGING;
      // Painted in place: this neuron's rows of the atlas.
      const at = (row + k) * r * r * 4;
      paintImage({ data: image.data.subarray(at, at + r * r * 4) }, values, lut, lo, hi);
    }
    row += n;
  });
  raster.commit();
}

/** Fill of a neuron without a thumbnail (image inputs): its mean activation. */
export function plainFill(layer, isOutput, k, problem) {
  if (!layer) return '#c3c8cf'; // a pixel
  if (!layer.a_mean || (isOutput && problem === 'multiclass')) return '#f4f4f2'; // outputs: named, not shaded
  return isOutput && problem === 'classification'
    ? cssColor(DIVERGING, 2 * layer.a_mean[k] - 1, -1, 1)
    : cssColor(DIVERGING, layer.a_mean[k], -1, 1);
}
