"""The network diagram's big link layers (kept as images, repainted within a budget while
the run plays, network-links.js LinkStrips) show the weights of the frame drawn, and its
small thumbnails (scaled in script, network-thumbs.js ThumbLayer) each sit at their neuron:
a diagram of 6 hidden layers of 32 (5 layers of 1,024 links, more than one paint's budget)
is given frames of positive, then negative weights, and its pixels are read."""

from .conftest import shot

# A NetworkDiagram of its own in a 760×300 box (the diagram's size at 1366×768), fed
# synthetic frames: every weight +v or -v, thumbnails off (plain squares) or on.
SETUP = """async () => {
  const { NetworkDiagram } = await import('/static/js/network.js');
  const box = document.createElement('div');
  box.className = 'canvas-box';
  box.style.cssText = 'position: fixed; left: 0; top: 0; width: 760px; height: 300px; z-index: 99; background: #fff';
  document.body.append(box);
  const diagram = new NetworkDiagram(box, { tooltip: { show() {}, hide() {} } });
  const sizes = [2, 32, 32, 32, 32, 32, 32, 1];
  // thumbs: each neuron's thumbnail all +1 or all -1, the sign alternating from neuron to neuron.
  const r = 6;
  const grid = (thumbs) => !thumbs ? { nodeRes: 0, nodes: [] } : {
    nodeRes: r, nodes: sizes.map((n, j) => Float32Array.from({ length: n * r * r }, (_, i) => ((j + Math.floor(i / (r * r))) % 2 ? 1 : -1))),
  };
  const frame = (v, running, thumbs = false) => ({
    run: 1, running,
    columns: sizes.map((size, j) => ({ size, activation: j ? 'tanh' : null, labels: null })),
    layers: sizes.slice(1).map((nOut, i) => ({ nOut, W: new Float32Array(sizes[i] * nOut).fill(v) })),
    grid: grid(thumbs),
  });
  window.__links = { diagram, frame };
}"""

# Per weight layer: pixels of its links' band (between its two columns, inside the nodes'
# rows) that are clearly blue (positive weights) and clearly orange (negative).
COLOURS = """() => {
  const { diagram } = window.__links;
  const c = diagram.canvas;
  const k = c.width / c.getBoundingClientRect().width;
  const { xs, s, nodes } = diagram.layout;
  const top = Math.ceil((nodes[1][0].y) * k), bottom = Math.floor((nodes[1].at(-1).y) * k);
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  return xs.slice(1).map((x1, i) => {
    let blue = 0, orange = 0;
    for (let y = top; y < bottom; y++) {
      for (let x = Math.ceil((xs[i] + s) * k); x < Math.floor((x1 - s) * k); x++) {
        const o = (y * c.width + x) * 4;
        if (px[o + 3] < 128) continue;
        if (px[o + 2] > px[o] + 40) blue += 1;
        else if (px[o] > px[o + 2] + 40) orange += 1;
      }
    }
    return { blue, orange };
  });
}"""

STALE = f"() => ({COLOURS})().some((l) => l.blue > 0)"


def all_drawn(layers: list[dict], colour: str) -> bool:
    """Every layer's band holds links of `colour` and none of the other."""
    other = "orange" if colour == "blue" else "blue"
    return all(layer[colour] > 50 and layer[other] == 0 for layer in layers)


def test_big_link_layers_follow_the_weights_while_playing_and_when_paused(open_page):
    page = open_page()
    page.evaluate(SETUP)
    # Playing: a paint repaints the big layers up to its budget; the rest follow within a
    # few paints, or on their own if no frame comes.
    first, after_one = page.evaluate(f"""() => {{
      const {{ diagram, frame }} = window.__links;
      diagram.update(frame(0.5, true));
      const first = ({COLOURS})();
      diagram.update(frame(-0.5, true));
      return [first, ({COLOURS})()];
    }}""")
    assert all_drawn(first, "blue"), first
    assert all_drawn(after_one[:1], "orange"), "the small first layer is drawn directly"
    assert any(all_drawn([layer], "orange") for layer in after_one[1:-1]), f"no big layer repainted: {after_one}"
    assert not all_drawn(after_one, "orange"), "5,120 links are more than one paint's budget"
    page.wait_for_function(f"() => !({STALE})()", timeout=5000)
    caught_up = page.evaluate(COLOURS)
    assert all_drawn(caught_up, "orange"), caught_up

    # Paused (or stepped): the frame is drawn whole in one paint.
    page.evaluate("() => window.__links.diagram.update(window.__links.frame(0.5, false))")
    paused = page.evaluate(COLOURS)
    shot(page, "network-links-paused")
    assert all_drawn(paused, "blue"), paused


# Each neuron's square, at its centre: "blue", "orange" or what else it shows.
NODE_COLOURS = """() => {
  const { diagram } = window.__links;
  const c = diagram.canvas;
  const k = c.width / c.getBoundingClientRect().width;
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  return diagram.layout.nodes.map((col) => col.map((p) => {
    const o = (Math.round(p.y * k) * c.width + Math.round(p.x * k)) * 4;
    return px[o + 2] > px[o] + 40 ? 'blue' : px[o] > px[o + 2] + 40 ? 'orange' : `${px[o]},${px[o + 1]},${px[o + 2]}`;
  }));
}"""


def test_small_thumbnails_scaled_in_script_each_at_its_neuron(open_page):
    """A 6-layer network's 8-px thumbnails are scaled in script (network-thumbs.js ThumbLayer):
    every neuron shows its own thumbnail, not a neighbour's."""
    page = open_page()
    page.evaluate(SETUP)
    page.evaluate("() => window.__links.diagram.update(window.__links.frame(0.5, false, true))")
    got = page.evaluate(NODE_COLOURS)
    shot(page, "network-thumbnails-in-script")
    assert page.evaluate("() => !!window.__links.diagram.thumbs.plan"), "8-px thumbnails are scaled in script"
    want = [["blue" if (j + k) % 2 else "orange" for k in range(len(col))] for j, col in enumerate(got)]
    assert got == want
