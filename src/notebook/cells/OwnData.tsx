// The student's own data, as a cell any chapter can hold: a drop zone (FileDrop), the
// files parsed in a Web Worker with the package's parsers (the previewData request of
// the training protocol: a large file never blocks the page), and a preview before any
// training — rows, columns, classes with their counts, the first rows of a CSV or the
// first images of an image set, the label column chosen in a select, and the seeded
// stratified split. A malformed file is refused with the parser's message (role=alert);
// the data in use before it, and everything else on the page, stay as they were.
//
// What the chapter does with the data is its own: `children` gets the accepted source
// (bytes and label column, ready for a session's dataset { name: 'own', own }) and its
// preview, e.g. a training cell over a store of its own; `onAccept` hears of each accepted
// file (or label column), e.g. to parse its rows for a model trained on the page.

import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { TrainingStore } from '../../store/training';
import { createTrainingWorker, TrainingClient } from '../../train/client';
import type { SessionConfig } from '../../train/protocol';
import { formatOfName, OWN_FILE_MAX_BYTES, OWN_MAX_FILES, PREVIEW_IMAGES, type OwnDataPreview, type OwnDataSource, type OwnFormat } from '../../train/own-data';
import { FileDrop } from '../../ui/FileDrop';
import { NumberInput, Select } from '../../ui/controls';
import { TrainCell } from './TrainCell';
import './own-data.css';

export interface OwnDataAccepted {
  source: OwnDataSource;
  preview: OwnDataPreview;
}

export interface OwnDataProps {
  /** the formats this chapter can train on */
  formats: readonly OwnFormat[];
  /** seeds the stratified split shown in the preview (the session's seed) */
  seed: number;
  /** null: the chapter trains on every row, and the preview shows no split */
  testFraction: number | null;
  /** refuses data the chapter's model cannot take (e.g. a shape): the reason, or null */
  fits?: (preview: OwnDataPreview) => string | null;
  /** says how the features are scaled (shown under the preview) */
  scaling: string;
  children?: (data: OwnDataAccepted) => ReactNode;
  /** called once per accepted file or label column */
  onAccept?: (data: OwnDataAccepted) => void;
}

const FORMAT_WORDS: Record<OwnFormat, string> = {
  csv: 'a CSV file (numeric feature columns and one label column)',
  idx: 'an idx pair (images idx3 and labels idx1, raw or .gz) dropped together',
  cifar: 'CIFAR-10 binary batches (.bin)',
};

const ACCEPT: Record<OwnFormat, string> = { csv: '.csv,.txt', idx: '.idx,.idx1,.idx3,.ubyte,.gz', cifar: '.bin' };

const int = (v: number) => v.toLocaleString('en-US');

/** the format of a set of files, or why they do not make one */
function formatOf(files: readonly File[], formats: readonly OwnFormat[]): OwnFormat | string {
  const seen = new Set(files.map((f) => formatOfName(f.name)));
  if (seen.has(null)) {
    const odd = files.find((f) => formatOfName(f.name) === null)!;
    return `${odd.name}: not a file this cell reads; it takes ${formats.map((f) => FORMAT_WORDS[f]).join(', or ')}`;
  }
  if (seen.size > 1) return `the files are of different kinds (${[...seen].join(', ')}); drop one kind at a time`;
  const format = [...seen][0]!;
  if (!formats.includes(format)) return `${files[0]!.name}: this chapter's model takes ${formats.map((f) => FORMAT_WORDS[f]).join(', or ')}`;
  return format;
}

/** an image of the preview, (H, W, C) bytes, drawn one canvas pixel per image pixel */
function PreviewImage({ pixels, height, width, channels, label }: { pixels: Uint8Array; height: number; width: number; channels: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(width, height);
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < 3; c++) img.data[4 * p + c] = pixels[p * channels + (channels === 3 ? c : 0)]!;
      img.data[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels, height, width, channels]);
  return <canvas ref={ref} width={width} height={height} className="own-image" role="img" aria-label={label} />;
}

function Preview({ p, onLabel, busy, scaling, seed, split }: { p: OwnDataPreview; onLabel: (column: number) => void; busy: boolean; scaling: string; seed: number; split: boolean }) {
  const isCsv = p.format === 'csv';
  const used = p.classes.filter((c) => c.count > 0);
  return (
    <div className="own-preview" data-testid="own-preview">
      <p className="own-facts" data-testid="own-facts">
        <strong>{int(p.rows)}</strong> {isCsv ? 'rows' : 'images'} ·{' '}
        {isCsv ? (
          <>
            <strong>{p.columns.length}</strong> columns ({p.sampleShape[0]} features + the label) ·{' '}
          </>
        ) : (
          <>
            each {p.sampleShape.join(' × ')} ·{' '}
          </>
        )}
        <strong>{used.length}</strong> classes
        {split ? ` · split ${int(p.train)} train / ${int(p.test)} test (stratified, seed ${seed})` : ''}
      </p>
      {isCsv ? (
        <div className="controls-row">
          <Select<string>
            label="Label column"
            value={String(p.labelColumn)}
            options={p.columns.map((c, j) => ({ value: String(j), label: c }))}
            onChange={(v) => onLabel(Number(v))}
            disabled={busy}
          />
        </div>
      ) : null}
      <div className="own-tables">
        <div className="table-wrap" role="region" aria-label="Classes" tabIndex={0}>
          <table data-testid="own-classes">
            <caption>Classes</caption>
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col" className="num">
                  Examples
                </th>
              </tr>
            </thead>
            <tbody>
              {used.map((c) => (
                <tr key={c.name}>
                  <th scope="row">{c.name}</th>
                  <td className="num">{int(c.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {isCsv ? (
          <div className="table-wrap" role="region" aria-label="First rows" tabIndex={0}>
            <table data-testid="own-rows">
              <caption>The first {p.sampleRows.length} rows{p.hasHeader ? '' : ' (the file has no header)'}</caption>
              <thead>
                <tr>
                  {p.columns.map((c, j) => (
                    <th key={j} scope="col" className={j === p.labelColumn ? 'own-label-col' : undefined}>
                      {c}
                      {j === p.labelColumn ? ' (label)' : ''}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {p.sampleRows.map((r, i) => (
                  <tr key={i}>
                    {r.map((cell, j) => (
                      <td key={j} className={j === p.labelColumn ? 'own-label-col' : 'num'}>
                        {cell}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : p.images ? (
          <figure className="own-images" data-testid="own-images">
            <div className="own-image-row">
              {p.images.labels.map((label, k) => {
                const { height, width, channels } = p.images!;
                const size = height * width * channels;
                return (
                  <div key={k} className="own-image-cell">
                    <PreviewImage pixels={p.images!.pixels.subarray(k * size, (k + 1) * size)} height={height} width={width} channels={channels} label={`image ${k + 1}, class ${label}`} />
                    <span className="small">{label}</span>
                  </div>
                );
              })}
            </div>
            <figcaption className="muted small">The first {Math.min(PREVIEW_IMAGES, p.rows)} images with their labels.</figcaption>
          </figure>
        ) : null}
      </div>
      <p className="muted small">
        {p.notes.map((n) => n[0]!.toUpperCase() + n.slice(1)).join('. ')}. {scaling}
      </p>
    </div>
  );
}

export function OwnData({ formats, seed, testFraction, fits, scaling, children, onAccept }: OwnDataProps) {
  const client = useRef<TrainingClient | null>(null);
  const [accepted, setAccepted] = useState<(OwnDataAccepted & { sizes: { name: string; size: number }[] }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** bumps per request, so a late answer to an old one is dropped */
  const gen = useRef(0);

  useEffect(
    () => () => {
      void client.current?.dispose();
      client.current = null;
    },
    [],
  );

  const preview = useCallback(
    async (source: OwnDataSource, sizes: { name: string; size: number }[]) => {
      const g = ++gen.current;
      setBusy(true);
      try {
        if (!client.current || client.current.stopped) client.current = new TrainingClient(createTrainingWorker());
        const p = await client.current.previewData(source, seed, testFraction ?? undefined);
        if (g !== gen.current) return;
        const misfit = fits?.(p) ?? null;
        if (misfit) {
          setError(`${source.files.map((f) => f.name).join(' and ')}: ${misfit}`);
          return;
        }
        setError(null);
        const next = { source: { ...source, labelColumn: p.format === 'csv' ? p.labelColumn : undefined }, preview: p, sizes };
        setAccepted(next);
        onAccept?.(next);
      } catch (e) {
        if (g === gen.current) setError((e as Error).message ?? String(e));
      } finally {
        if (g === gen.current) setBusy(false);
      }
    },
    [seed, testFraction, fits, onAccept],
  );

  const onFiles = useCallback(
    async (files: File[]) => {
      const format = formatOf(files, formats);
      if (!formats.includes(format as OwnFormat)) {
        setError(format);
        return;
      }
      const read = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
      await preview({ format: format as OwnFormat, files: read }, files.map((f) => ({ name: f.name, size: f.size })));
    },
    [formats, preview],
  );

  // a new seed re-splits the data in use
  useEffect(() => {
    if (accepted) void preview(accepted.source, accepted.sizes);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seed]);

  return (
    <div className="own-data">
      <FileDrop
        label="Your data file"
        hint={`${formats.map((f) => FORMAT_WORDS[f]).join('; or ')}.`}
        accept={formats.map((f) => ACCEPT[f]).join(',')}
        maxBytes={OWN_FILE_MAX_BYTES}
        maxFiles={formats.includes('idx') || formats.includes('cifar') ? OWN_MAX_FILES : 1}
        onFiles={(f) => void onFiles(f)}
        onRefused={setError}
        current={accepted?.sizes}
      />
      {busy ? (
        <p className="muted small" role="status">
          Reading the file in the worker…
        </p>
      ) : null}
      {error ? (
        <p className="notice error" role="alert" data-testid="own-error">
          {error}
          {accepted ? ` — still using ${accepted.sizes.map((s) => s.name).join(' and ')}.` : ''}
        </p>
      ) : null}
      {accepted ? (
        <>
          <Preview p={accepted.preview} busy={busy} scaling={scaling} seed={seed} split={testFraction !== null} onLabel={(column) => void preview({ ...accepted.source, labelColumn: column }, accepted.sizes)} />
          {children?.(accepted)}
        </>
      ) : null}
    </div>
  );
}

interface OwnDataTrainingProps {
  /** the session's store: its own, so the chapter's other runs are never touched */
  store: TrainingStore;
  data: OwnDataAccepted;
  /** the chapter's session for the data in use, trained for `epochs` epochs */
  config: (data: OwnDataAccepted, epochs: number) => SessionConfig;
  prefer: () => 'webgpu' | 'cpu';
  defaultEpochs: number;
  /** where the other hyperparameters come from (shown beside the epochs) */
  note: ReactNode;
  /** test ids "<id>-loss-chart", "<id>-accuracy-chart" */
  testId: string;
}

export type OwnDataCellProps = Omit<OwnDataProps, 'children' | 'onAccept'> & Omit<OwnDataTrainingProps, 'data'>;

/** a chapter's own-data cell: the drop zone and its preview, then the training cell on the data accepted */
export function OwnDataCell({ store, config, prefer, defaultEpochs, note, testId, ...drop }: OwnDataCellProps) {
  return (
    <OwnData {...drop}>
      {(data) => <OwnDataTraining store={store} data={data} config={config} prefer={prefer} defaultEpochs={defaultEpochs} note={note} testId={testId} />}
    </OwnData>
  );
}

/**
 * The training cell on the data in use: a new session for new data (training waits for
 * Train), Train / Pause / Step / Reset, the live charts and the results per epoch on the
 * data's test split.
 */
function OwnDataTraining({ store, data, config, prefer, defaultEpochs, note, testId }: OwnDataTrainingProps) {
  const [epochs, setEpochs] = useState(defaultEpochs);
  // the chapter's settings are read when a session is made (new data, Train on new data, Reset)
  const fresh = useCallback(() => store.getState().init(config(data, epochs), prefer()), [store, config, data, epochs, prefer]);
  useEffect(() => {
    const s = store.getState();
    if (s.config && s.config.dataset.own !== data.source) void fresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data]);
  // the epoch count changes live, as in the chapter's own training cell
  useEffect(() => {
    const s = store.getState();
    if (s.phase === 'ready' && s.snapshot && s.snapshot.epochs !== epochs) void s.setEpochs(epochs);
  }, [store, epochs]);
  useEffect(() => () => void store.getState().pause(), [store]);
  const onTrain = useCallback(async () => {
    const s = store.getState();
    if (s.phase === 'off' || s.phase === 'failed' || s.phase === 'stopped' || s.config?.dataset.own !== data.source) await fresh();
    if (store.getState().phase === 'ready') await store.getState().train();
  }, [data, fresh, store]);
  return (
    <div className="own-train">
      <TrainCell
        store={store}
        what="Training on your data"
        controls={
          <div className="controls-row">
            <NumberInput label="Epochs on your data" value={epochs} min={1} max={2000} step={1} onChange={(v) => setEpochs(Math.round(v))} />
            <p className="muted small">{note}</p>
          </div>
        }
        onTrain={() => void onTrain()}
        onReset={() => void fresh()}
        status={{ showVal: false, showTest: true }}
        loading={<p className="muted small">Parsing your files in the worker and building the network…</p>}
        chart={{ axis: 'epoch', batchLoss: { name: 'training loss (per step)', faint: true }, epochTrainLoss: 'training loss (epoch mean)', accuracy: true, testId }}
        table={{ columns: ['trainLoss', 'testLoss', 'testAccuracy'], caption: 'Results per epoch on your data' }}
      />
    </div>
  );
}
