// Where a feature-map pixel looks in the image: its receptive field, traced back through
// the blocks from their kernel, stride and padding (config, not results) and the map sizes
// the server sends (each block's shape). A `same` map's zeros before the image are the
// engine's (engine/conv.py, pads: the odd one goes after, as TensorFlow does).

function padBefore(size, kernel, stride, same) {
  if (!same) return 0;
  const out = Math.ceil(size / stride);
  return Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2);
}

/**
 * blocks: frame.cnn.blocks ({kind, kernel, stride, same, shape [C, H, W]}); imageShape
 * [C, H, W]; (r, c): a pixel of block j's maps. Returns the image pixels it depends on,
 * {top, left, bottom, right} inclusive, clipped to the image (zeros of padding are not pixels).
 */
export function receptiveField(blocks, imageShape, j, r, c) {
  let [top, bottom, left, right] = [r, r, c, c];
  for (let k = j; k >= 0; k--) {
    const b = blocks[k];
    const [, H, W] = k ? blocks[k - 1].shape : imageShape;
    if (b.kind === 'conv') {
      const pr = padBefore(H, b.kernel, b.stride, b.same);
      const pc = padBefore(W, b.kernel, b.stride, b.same);
      [top, bottom] = [top * b.stride - pr, bottom * b.stride - pr + b.kernel - 1];
      [left, right] = [left * b.stride - pc, right * b.stride - pc + b.kernel - 1];
    } else { // 2×2 pooling, stride 2
      [top, bottom, left, right] = [top * 2, bottom * 2 + 1, left * 2, right * 2 + 1];
    }
  }
  const [, H, W] = imageShape;
  return { top: Math.max(0, top), left: Math.max(0, left), bottom: Math.min(H - 1, bottom), right: Math.min(W - 1, right) };
}
