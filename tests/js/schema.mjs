// A schema in hello.schema's shape with one field of every kind the page knows (and
// one it does not), for the state, URL and controls tests.

export const SCHEMA = [
  { name: 'dataset', label: 'Dataset', kind: 'choice', default: 'circle', group: 'data', choices: [
    { value: 'circle', label: 'Circle', inputs: 'plane', features: ['x1', 'x2', 'x1x2', 'sinx1'] },
    { value: 'sine', label: 'Sine curve', inputs: 'line', features: ['x1', 'sinx1'] },
    { value: 'digits', label: 'Digits (8×8)', inputs: 'image', features: [] },
  ] },
  { name: 'noise', label: 'Noise', kind: 'number', default: 0, group: 'data', min: 0, max: 0.5 },
  { name: 'samples', label: 'Points', kind: 'integer', default: 500, group: 'data', min: 10, max: 2000,
    when: { dataset: ['circle', 'sine'] } },
  { name: 'features', label: 'Features', kind: 'multi', default: ['x1', 'x2'], group: 'features', choices: [
    { value: 'x1', label: 'x₁' }, { value: 'x2', label: 'x₂' }, { value: 'x1x2', label: 'x₁x₂' }, { value: 'sinx1', label: 'sin x₁' },
  ] },
  { name: 'layer_activations', label: 'Layer activations', kind: 'per_layer', default: [], group: 'network', max_layers: 6,
    choices: [{ value: '', label: 'same as all' }, { value: 'tanh', label: 'Tanh' }, { value: 'relu', label: 'ReLU' }] },
  { name: 'hidden', label: 'Hidden layers', kind: 'layers', default: [4, 2], group: 'network', min: 1, max: 16,
    min_layers: 0, max_layers: 6 },
  { name: 'activation', label: 'Activation', kind: 'choice', default: 'tanh', group: 'network', live: true,
    choices: [{ value: 'tanh', label: 'Tanh' }, { value: 'relu', label: 'ReLU' }] },
  { name: 'residual', label: 'Residual', kind: 'bool', default: false, group: 'network' },
  { name: 'learning_rate', label: 'Learning rate', kind: 'number', default: 0.03, group: 'training', min: 1e-5, max: 10,
    log: true, presets: [0.001, 0.01, 0.03, 0.1, 1] },
  { name: 'optimizer', label: 'Optimizer', kind: 'choice', default: 'sgd', group: 'training',
    choices: [{ value: 'sgd', label: 'SGD' }, { value: 'adam', label: 'Adam' }] },
  { name: 'momentum', label: 'Momentum', kind: 'number', default: 0, group: 'training', min: 0, max: 0.999,
    when: { optimizer: ['sgd'] } },
  { name: 'beta1', label: 'β₁', kind: 'number', default: 0.9, group: 'training', min: 0, max: 0.9999,
    when: { optimizer: ['adam'] } },
  { name: 'seed', kind: 'integer', default: 1, group: 'network', min: 0, max: 2 ** 31 - 1 },
  { name: 'compare', label: 'Compare', kind: 'compare', default: null, group: 'network',
    fields: ['activation', 'learning_rate', 'residual'] },
  { name: 'speed', label: 'Speed', kind: 'choice', default: 300, group: 'playback',
    choices: [{ value: 1, label: '1 step/s' }, { value: 100, label: '100 steps/s' }, { value: 300, label: '300 steps/s' }, { value: 0, label: 'max' }] },
  { name: 'hologram', label: 'Mystery', kind: 'hologram', default: 3, group: 'network' },
];

export const field = (name) => SCHEMA.find((f) => f.name === name);

/** A config with every field set off its default. */
export const CONFIG = {
  dataset: 'sine', noise: 0.25, samples: 300, features: ['x1', 'sinx1'], layer_activations: ['', 'relu', ''],
  hidden: [8, 3, 1], activation: 'relu', residual: true, learning_rate: 0.1, optimizer: 'adam', momentum: 0.5,
  beta1: 0.95, seed: 42, compare: { field: 'learning_rate', value: 0.3 }, speed: 0,
};
