// A feature-map pixel's receptive field (static/js/receptive.js) is the engine's: the image
// pixels whose gradient is non-zero when that one map value is backpropagated alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { receptiveField } from '../../static/js/receptive.js';

const root = new URL('../..', import.meta.url).pathname;
const python = process.env.BACKPROP_PYTHON || `${root}.venv/bin/python`;

const BLOCKS = [
  { kind: 'conv', filters: 2, kernel: 3, stride: 1, same: true },
  { kind: 'avg_pool' },
  { kind: 'conv', filters: 2, kernel: 4, stride: 2, same: true },
  { kind: 'conv', filters: 2, kernel: 2, stride: 1, same: false },
];
const IMAGE = [1, 13, 11];

// Linear activations and average pooling: no gradient is zeroed on the way, so the non-zero
// ones are exactly the field. Prints the shapes and, per case, the field's bounding box.
const ENGINE = `
import json, sys
import numpy as np
from engine.cnn import ConvNetwork
blocks, image = json.loads(sys.argv[1]), tuple(json.loads(sys.argv[2]))
net = ConvNetwork.create(image, blocks, [], 2, "softmax_ce", np.random.default_rng(0), activation="linear")
x = np.random.default_rng(1).normal(size=(1, *image))
shapes, out = [], x
for layer in net.layers[: len(blocks)]:
    out = layer.forward(out, True)
    shapes.append(list(out.shape[1:]))
cases = []
for j, (c, h, w) in enumerate(shapes):
    for r, col in {(0, 0), (h - 1, w - 1), (h // 2, w // 2), (0, w - 1)}:
        d = np.zeros((1, c, h, w)); d[0, 0, r, col] = 1.0
        for i in range(j, -1, -1):
            d = net.layers[i].backward(d, need_dx=True)
        rows, cols = np.nonzero(np.abs(d[0, 0]) > 1e-12)
        cases.append([j, r, col, {"top": int(rows.min()), "left": int(cols.min()), "bottom": int(rows.max()), "right": int(cols.max())}])
print(json.dumps({"shapes": shapes, "cases": cases}))
`;

test('each map pixel looks at the image pixels the engine backpropagates to', { skip: !existsSync(python) && 'no Python with the engine' }, () => {
  const out = execFileSync(python, ['-c', ENGINE, JSON.stringify(BLOCKS), JSON.stringify(IMAGE)], { cwd: root, encoding: 'utf8' });
  const { shapes, cases } = JSON.parse(out);
  const blocks = BLOCKS.map((b, j) => ({ ...b, shape: shapes[j] }));
  assert.ok(cases.length >= 12);
  for (const [j, r, c, field] of cases) assert.deepEqual(receptiveField(blocks, IMAGE, j, r, c), field, `block ${j + 1}, (${r}, ${c})`);
});
