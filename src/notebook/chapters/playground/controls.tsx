// The playground's controls: the data, the architecture (1 to 6 hidden layers, width and
// activation each), loss, optimizer, learning rate, batch size and speed. Each writes one
// setting; a refused value is shown with the setting's message and changes nothing.

import { useState } from 'react';
import { NumberInput, Select, Slider } from '../../../ui/controls';
import { useCsv } from './csv';
import { CsvAxes } from './CsvControls';
import {
  DATA_INFO,
  DATA_SETS,
  HIDDEN_ACTIVATIONS,
  isRegression,
  MAX_LAYERS,
  MAX_WIDTH,
  OPTIMIZERS,
  playgroundFields,
  SPEEDS,
  usePlaygroundSettings,
  type DataSetId,
  type HiddenActivation,
  type HiddenLayer,
  type PlaygroundLoss,
  type PlaygroundOptimizer,
  type PlaygroundSettings,
} from './settings';

type Setter = <K extends keyof PlaygroundSettings>(key: K, value: PlaygroundSettings[K]) => void;

/** sets a setting; a refused value leaves its message in `error` */
export function useSetter(): [Setter, string | null] {
  const [error, setError] = useState<string | null>(null);
  const set: Setter = (key, value) => {
    try {
      usePlaygroundSettings.getState().set(key, value);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return [set, error];
}

const OPTIMIZER_LABELS: Record<PlaygroundOptimizer, string> = { sgd: 'SGD', momentum: 'SGD with momentum 0.9', adam: 'Adam' };
const LOSS_LABELS: Record<PlaygroundLoss, string> = { cross_entropy: 'cross-entropy', mse: 'squared error (MSE)' };

export function DataControls({ set }: { set: Setter }) {
  const data = usePlaygroundSettings((s) => s.data);
  const classes = usePlaygroundSettings((s) => s.classes);
  const noise = usePlaygroundSettings((s) => s.noise);
  const perClass = usePlaygroundSettings((s) => s.perClass);
  const dataSeed = usePlaygroundSettings((s) => s.dataSeed);
  const csvName = useCsv((s) => s.csv?.file.name ?? null);
  const note = useCsv((s) => s.note);
  const info = DATA_INFO[data];
  const f = playgroundFields;
  // "Your CSV" once a file is in the page
  const sets = DATA_SETS.filter((d) => d !== 'csv' || csvName !== null);
  return (
    <fieldset className="pg-fieldset">
      <legend>Data</legend>
      <div className="controls-row">
        <Select<DataSetId>
          label="Data set"
          value={data}
          options={sets.map((d) => ({ value: d, label: d === 'csv' ? `${DATA_INFO[d].label} (${csvName})` : DATA_INFO[d].label }))}
          onChange={(v) => {
            useCsv.setState({ note: null });
            set('data', v);
          }}
        />
        {info.classesChoice ? (
          <Select<string>
            label="Classes"
            value={String(classes)}
            options={[2, 3, 4, 5, 6].map((k) => ({ value: String(k), label: String(k) }))}
            onChange={(v) => set('classes', Number(v))}
          />
        ) : null}
        {info.noise ? (
          <Slider
            label="Noise"
            hint="std"
            value={noise}
            min={0}
            max={info.noise.max}
            step={info.noise.max / 50}
            format={(v) => String(Number(v.toPrecision(3)))}
            onChange={(v) => set('noise', v)}
          />
        ) : null}
        {info.generated ? (
          <NumberInput label="Points per class" value={perClass} min={f.perClass.min} max={f.perClass.max} step={1} onChange={(v) => set('perClass', v)} />
        ) : null}
        {info.generated ? (
          <button type="button" onClick={() => set('dataSeed', (dataSeed + 1) % (f.dataSeed.max + 1))}>
            New points
          </button>
        ) : null}
      </div>
      {isRegression(data) ? (
        <p className="muted small pg-note">The course's exact points: no noise or size to choose. x and y are standardized for the network; the plot keeps their units.</p>
      ) : null}
      {data === 'csv' ? (
        <>
          <div className="controls-row pg-axes">
            <CsvAxes />
          </div>
          <p className="muted small pg-note">
            Your file's rows, two of its columns on the axes (x₁, x₂), standardized for the network; the plot keeps their units. The file stays on this
            computer and is not in the address: a reload comes back to a generated set.
          </p>
        </>
      ) : null}
      {note ? (
        <p className="notice pg-note" role="status">
          {note}
        </p>
      ) : null}
    </fieldset>
  );
}

export function ArchControls({ set }: { set: Setter }) {
  const layers = usePlaygroundSettings((s) => s.layers);
  const setLayer = (i: number, patch: Partial<HiddenLayer>) => set('layers', layers.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  const last = layers[layers.length - 1]!;
  return (
    <fieldset className="pg-fieldset">
      <legend>Hidden layers</legend>
      <div className="button-row" role="group" aria-label="Number of hidden layers">
        <button type="button" onClick={() => set('layers', layers.slice(0, -1))} disabled={layers.length <= 1}>
          Remove a layer
        </button>
        <button type="button" onClick={() => set('layers', [...layers, { ...last }])} disabled={layers.length >= MAX_LAYERS}>
          Add a layer
        </button>
        <span className="muted small" aria-live="polite">
          {layers.length} of at most {MAX_LAYERS}
        </span>
      </div>
      <ol className="pg-layers">
        {layers.map((l, i) => (
          <li key={i} className="pg-layer">
            <span className="pg-layer-name" aria-hidden="true">
              {i + 1}
            </span>
            <NumberInput label={`Layer ${i + 1} width`} value={l.width} min={1} max={MAX_WIDTH} step={1} onChange={(v) => setLayer(i, { width: v })} />
            <Select<HiddenActivation>
              label={`Layer ${i + 1} activation`}
              value={l.activation}
              options={HIDDEN_ACTIVATIONS.map((a) => ({ value: a, label: a }))}
              onChange={(v) => setLayer(i, { activation: v })}
            />
          </li>
        ))}
      </ol>
    </fieldset>
  );
}

export function TrainingControls({ set }: { set: Setter }) {
  const data = usePlaygroundSettings((s) => s.data);
  const loss = usePlaygroundSettings((s) => s.loss);
  const optimizer = usePlaygroundSettings((s) => s.optimizer);
  const lr = usePlaygroundSettings((s) => s.lr);
  const batchSize = usePlaygroundSettings((s) => s.batchSize);
  const speed = usePlaygroundSettings((s) => s.speed);
  const seed = usePlaygroundSettings((s) => s.seed);
  const f = playgroundFields;
  const regression = isRegression(data);
  return (
    <fieldset className="pg-fieldset">
      <legend>Training</legend>
      <div className="controls-row">
        <Select<PlaygroundLoss>
          label="Loss"
          value={regression ? 'mse' : loss}
          options={(regression ? (['mse'] as const) : f.loss.choices).map((v) => ({ value: v, label: LOSS_LABELS[v] }))}
          onChange={(v) => set('loss', v)}
          disabled={regression}
        />
        <Select<PlaygroundOptimizer>
          label="Optimizer"
          value={optimizer}
          options={OPTIMIZERS.map((o) => ({ value: o, label: OPTIMIZER_LABELS[o] }))}
          onChange={(v) => set('optimizer', v)}
        />
        <NumberInput label="Learning rate" hint="η" value={lr} min={f.lr.min} max={f.lr.max} onChange={(v) => set('lr', v)} />
        <NumberInput label="Batch size" value={batchSize} min={f.batchSize.min} max={f.batchSize.max} step={1} onChange={(v) => set('batchSize', v)} />
        <Select<string>
          label="Speed"
          value={String(speed)}
          options={SPEEDS.map((v) => ({ value: String(v), label: `${v} step${v === 1 ? '' : 's'} per frame` }))}
          onChange={(v) => set('speed', Number(v))}
        />
        <button type="button" onClick={() => set('seed', (seed + 1) % (f.seed.max + 1))}>
          New starting weights
        </button>
      </div>
      <p className="muted small pg-note">
        {regression
          ? 'Regression: one linear output and the squared error.'
          : 'Classification: a softmax output per class.'}{' '}
        Weights from seed {seed} (Xavier uniform, biases 0). The learning rate and batch size apply from the next step; anything else starts a new network.
      </p>
    </fieldset>
  );
}
