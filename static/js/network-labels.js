// The diagram's names: input features (or one caption for a column of pixels) to the left
// of the input column, class names to the right of the output neurons.

/** Drawn in the diagram's units; w: the canvas's width in those units. */
export function drawLabels(ctx, layout, frame, problem, dataset, w) {
  const { nodes, compact } = layout;
  const last = nodes.length - 1;
  const s0 = nodes[0][0] ? nodes[0][0].s : layout.s;
  ctx.fillStyle = '#222';
  ctx.textBaseline = 'middle';
  if (compact) {
    // 64 pixels: one caption for the column instead of 64 names.
    const p = nodes[0][Math.floor(nodes[0].length / 2)];
    const shape = dataset && dataset.imageShape;
    ctx.font = 'bold 15px system-ui, sans-serif';
    ctx.textAlign = 'right';
    ctx.fillText(String(nodes[0].length), p.x - s0 / 2 - 6, p.y - 18);
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillText('pixels', p.x - s0 / 2 - 6, p.y);
    if (shape) ctx.fillText(`${shape[0]}×${shape[1]}`, p.x - s0 / 2 - 6, p.y + 16);
  } else {
    // Input feature names to the left of the input column.
    const labels = frame.columns[0].labels || [];
    ctx.font = `${Math.max(12, Math.min(16, s0 * 0.45))}px system-ui, sans-serif`;
    ctx.textAlign = 'right';
    nodes[0].forEach((p, k) => ctx.fillText(labels[k] || `x${k + 1}`, p.x - s0 / 2 - 6, p.y));
  }
  // Class names to the right of the output neurons.
  const outLabels = frame.columns[last].labels;
  if (problem === 'multiclass' && outLabels && last > 0) {
    const col = nodes[last];
    const pitch = col.length > 1 ? col[1].y - col[0].y : 20;
    ctx.font = `bold ${Math.max(12, Math.min(15, pitch * 0.85))}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    const room = w - (col[0].x + col[0].s / 2 + 6) - 2;
    col.forEach((p, k) => {
      let text = outLabels[k] ?? String(k);
      if (ctx.measureText(text).width > room) text = text.replace(/^class\s*/, ''); // "class 3" -> "3"
      ctx.fillText(text, p.x + p.s / 2 + 6, p.y);
    });
  }
}
