// Builds the page and wires it: the widget table, the controls, the top bar, the
// panels' tabs and options, the comparison view and the connection. Nothing else.

import { Page } from './page.js';
import { Painter } from './paint.js';
import { Join } from './join.js';
import { Controls } from './controls/index.js';
import { Toolbar } from './toolbar.js';
import { Tabs } from './tabs.js';
import { ViewOptions } from './viewoptions.js';
import { CompareView } from './compareview.js';
import { installDebugApi } from './debug.js';
import { msg } from './protocol.js';
import { StatsPanel } from './stats.js';
import { NetworkDiagram } from './network.js';
import { OutputPlot } from './output.js';
import { CurvePlot } from './curve.js';
import { DigitGallery } from './digits.js';
import { ConfusionMatrix } from './confusion.js';
import { LossChart } from './loss.js';
import { GradientHeatmap } from './gradients.js';
import { NeuronMap } from './neurons.js';
import { Distributions } from './distributions.js';
import { LayerStats } from './layerstats.js';
import { WarningList } from './warnings.js';
import { ExperimentsMenu } from './experiments.js';
import { Help } from './help.js';
import { Presentation } from './present.js';
import { RoomView } from './room.js';
import { ExplainMode } from './explain.js';
import { UnrolledNet } from './unrolled.js';
import { CnnView } from './cnn.js';
import { SequencePlot } from './sequence.js';
import { TimeHeatmap } from './timeheat.js';
import { OwnData } from './owndata.js';
import { ContinueControl } from './continue.js';
import { Timeline } from './timeline.js';

// Every widget: its container, the run it draws (a; b: run B of a comparison, while
// there is one; detail: the run the A/B toggle picks) and, for panels with several,
// the output view (the data's inputs) or gradient-health tab it belongs to, and the model
// (feedforward | recurrent) of the frames it draws, where it draws only one.
// Only the visible view's and tab's widgets are drawn; rows are drawn in this order.
const WIDGETS = [
  { name: 'stats', el: '#loss .stats', run: 'a', make: (el, p) => new StatsPanel(el, { step: p.$('#stat-step'), config: () => p.state.effectiveConfig() }) },
  { name: 'network', el: '#network .canvas-box', run: 'detail', model: 'feedforward', make: (el, p) => new NetworkDiagram(el, { tooltip: p.tooltip }) },
  { name: 'output', el: '#output [data-run=a] [data-view=plane]', run: 'a', view: 'plane', make: (el) => new OutputPlot(el) },
  { name: 'curve', el: '#output [data-run=a] [data-view=line]', run: 'a', view: 'line', make: (el) => new CurvePlot(el) },
  { name: 'gallery', el: '#digits', run: 'a', view: 'image', make: (el, p) => new DigitGallery(el, { choose: (i) => { if (p.state.isController) p.send(msg.set({ sample: i })); } }) },
  { name: 'confusion', el: '#confusion', run: 'a', view: 'image', make: (el) => new ConfusionMatrix(el) },
  { name: 'cnn', el: '#cnn', run: 'a', model: 'cnn', make: (el, p) => new CnnView(el, { tooltip: p.tooltip, caption: p.$('#cnn-sample'), send: (m) => p.send(m) }) },
  { name: 'unrolled', el: '#unrolled', run: 'a', model: 'recurrent', make: (el, p) => new UnrolledNet(el, { tooltip: p.tooltip }) },
  { name: 'unrolledB', el: '#unrolled-b', run: 'b', model: 'recurrent', make: (el, p) => new UnrolledNet(el, { tooltip: p.tooltip }) },
  { name: 'sequence', el: '#output [data-run=a] [data-view=sequence]', run: 'a', view: 'sequence', make: (el) => new SequencePlot(el) },
  { name: 'outputB', el: '#output-b-plane', run: 'b', view: 'plane', make: (el) => new OutputPlot(el) },
  { name: 'curveB', el: '#output-b-line', run: 'b', view: 'line', make: (el) => new CurvePlot(el) },
  { name: 'confusionB', el: '#confusion-b', run: 'b', view: 'image', make: (el) => new ConfusionMatrix(el) },
  { name: 'sequenceB', el: '#output-b-sequence', run: 'b', view: 'sequence', make: (el) => new SequencePlot(el) },
  { name: 'loss', el: '#loss .canvas-box', run: 'a', make: (el, p) => new LossChart(el, p.history.a) },
  { name: 'timeline', el: '#timeline', run: 'a', make: (el, p) => new Timeline(el, { send: (m) => p.send(m), isController: () => p.state.isController }) },
  { name: 'gradients', model: ['feedforward', 'cnn'], el: '#pane-heatmap [data-run=a] .heatmap-box', run: 'a', tab: 'heatmap', make: (el, p) => new GradientHeatmap(el, p.history.a, { legend: false }) },
  { name: 'neurons', model: 'feedforward', el: '#neuron-map', run: 'a', tab: 'heatmap', make: (el, p) => new NeuronMap(el, { tooltip: p.tooltip }) },
  { name: 'gradientsB', model: ['feedforward', 'cnn'], el: '#heatmap-b', run: 'b', tab: 'heatmap', make: (el, p) => new GradientHeatmap(el, p.history.b, { legend: false }) },
  { name: 'neuronsB', model: 'feedforward', el: '#neuron-map-b', run: 'b', tab: 'heatmap', make: (el, p) => new NeuronMap(el, { tooltip: p.tooltip }) },
  { name: 'distributions', model: 'feedforward', el: '#distributions', run: 'detail', tab: 'distributions', make: (el, p) => new Distributions(el, p.history.a) },
  { name: 'layerStats', model: 'feedforward', el: '#layer-stats', run: 'detail', tab: 'layers', make: (el, p) => new LayerStats(el, p.history.a) },
  { name: 'timeHeat', el: '#time-heat', run: 'a', tab: 'heatmap', model: 'recurrent', make: (el, p) => new TimeHeatmap(el, { side: p.$('#time-side') }) },
  { name: 'timeHeatB', el: '#time-heat-b', run: 'b', tab: 'heatmap', model: 'recurrent', make: (el, p) => new TimeHeatmap(el, { side: p.$('#time-side-b') }) },
  { name: 'warnings', el: '#warnings', run: 'a', make: (el, p) => new WarningList(el, { heading: p.$('#warnings-label') }) },
  { name: 'warningsB', el: '#warnings-b', run: 'b', make: (el, p) => new WarningList(el, { heading: p.$('#warnings-b-label') }) },
];

const page = new Page(document);
page.widgets = WIDGETS.map((row) => ({ ...row, widget: row.make(page.$(row.el), page) }));
const { state } = page;
page.compareView = new CompareView(page);
page.painter = new Painter(page, (frame) => page.compareView.show(frame));
page.join = new Join(page);
const toolbar = new Toolbar(page);
page.experiments = new ExperimentsMenu({
  button: page.$('#btn-experiments'), menu: page.$('#experiments-menu'), box: page.$('#experiment'),
  title: page.$('#experiment-title'), description: page.$('#experiment-description'), expect: page.$('#experiment-expect'),
  close: page.$('#experiment-close'),
}, (name) => { if (state.isController) page.send(msg.preset(name)); });
page.controls = new Controls({
  groups: { data: page.$('#controls-data'), features: page.$('#controls-features'), network: page.$('#controls-network'),
    training: page.$('#controls-training'), playback: page.$('#controls-playback') },
  fallback: page.$('#controls-training'),
  layers: { header: page.$('#layer-header'), strip: page.$('#layer-strip') },
  note: page.$('#features-note'),
}, { config: () => state.effectiveConfig(), edit: (partial) => state.edit(partial), accessories: { seed: toolbar.newSeed } });
page.explain = new ExplainMode(page);
page.ownData = new OwnData(page);
new ContinueControl(page);
new Tabs(page, page.$('#health-tabs'));
new ViewOptions(page);

state.on('config', (config) => page.controls.render(config));
state.on('edit', (partial) => page.send(msg.set(partial)));
state.on('role', (role) => {
  page.controls.setEnabled(role === 'controller');
  page.experiments.setEnabled(role === 'controller');
});
state.on('connected', (connected) => { if (!connected) page.controls.setEnabled(false); });
// A hand-edited hash (another session or setup) is a new start.
addEventListener('hashchange', () => location.reload());

page.help = new Help(document); // after the controls and the top bar exist: their titles become help
page.presentation = new Presentation(page);
page.room = new RoomView(page);
installDebugApi(page);
state.setView({});
page.join.start();
