// What the mouse is over in the network diagram, and what the tooltip says about it:
// a link (its weight, gradient and update) or a neuron (mean activation, bias).

import { fmt } from './format.js';
import { nearestLink } from './network-links.js';

/** {type: 'node', col, k} or {type: 'link', layer, a, b} under (mx, my), or null. */
export function hitTest(layout, mx, my) {
  const { nodes, links } = layout;
  for (let j = 0; j < nodes.length; j++) {
    for (let k = 0; k < nodes[j].length; k++) {
      const p = nodes[j][k];
      if (Math.abs(mx - p.x) <= p.s / 2 + 2 && Math.abs(my - p.y) <= p.s / 2 + 2) return { type: 'node', col: j, k };
    }
  }
  const link = nearestLink(links, mx, my);
  return link ? { type: 'link', layer: link.layer, a: link.a, b: link.b } : null;
}

/**
 * The tooltip's title and rows [[label, text]] for a hovered item, or null; explained: the
 * explanation's layers (explain.js), whose numbers for the traced sample replace the frame's.
 */
export function describeHover(frame, hover, dataset, explained = null) {
  const rows = [];
  let title;
  if (hover.type === 'link') {
    const { layer, a, b } = hover;
    const L = frame.layers[layer];
    if (!L) return null;
    const i = a * L.nOut + b;
    title = `${nodeName(frame, layer, a, dataset)} → ${nodeName(frame, layer + 1, b, dataset)}`;
    const E = explained && explained[layer];
    if (E) rows.push(['weight', E.W[a][b]], ['∂L/∂w, this sample', E.dW[a][b]]);
    else rows.push(['weight', L.W && L.W[i]], ['gradient', L.dW && L.dW[i]], ['update', L.dW_step && L.dW_step[i]]);
  } else {
    const { col, k } = hover;
    title = nodeName(frame, col, k, dataset);
    const E = explained && col > 0 && explained[col - 1];
    if (E) {
      rows.push(['z', E.z[k]], ['a', E.a[k]], ['δ = dL/dz', E.delta[k]]);
    } else if (col > 0) {
      const L = frame.layers[col - 1];
      rows.push(['mean activation', L && L.a_mean && L.a_mean[k]], ['bias', L && L.b && L.b[k]],
        ['bias gradient', L && L.db && L.db[k]]);
    }
  }
  return { title, rows: rows.map(([label, v]) => [label, fmt(v, 4)]) };
}

function nodeName(frame, col, k, dataset) {
  const count = frame.columns.length;
  const shape = dataset && dataset.inputs === 'image' && dataset.imageShape;
  if (col === 0 && shape && !frame.columns[0].labels) {
    return `pixel row ${Math.floor(k / shape[1]) + 1}, column ${(k % shape[1]) + 1}`;
  }
  if (col === 0) return `input ${(frame.columns[0].labels || [])[k] || k + 1}`;
  const labels = frame.columns[col].labels;
  if (col === count - 1) return labels && frame.columns[col].size > 1 ? `output ${labels[k] ?? k + 1}` : 'output';
  return `hidden ${col}, neuron ${k + 1}`;
}
