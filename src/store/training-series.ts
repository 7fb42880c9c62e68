// What a training cell's charts draw, and the pure reducer that turns the worker's metric
// batches into it (ingestBatches): the loss per step, the per-epoch evaluations, the
// speed and the markers, on a global step axis that continues over a session's restarts,
// every series bounded by appendBounded. The store (training.ts) calls it once per
// animation frame's batches.

import type { DivergenceInfo, MetricEvent, MetricsBatch } from '../train/protocol';
import { appendBounded } from './history';
import { fmtSig } from '../ui/format';

// ── what the charts read ───────────────────────────────────────────────────────

export interface SeriesPoint {
  /** global step: steps of earlier runs of this session + step */
  x: number;
  /** global epoch (fractional), continued over restarts like x */
  ex: number;
  /** run number (restarts) and step within the run */
  run: number;
  step: number;
  value: number;
}

/** an end-of-epoch evaluation as the session reported it (run, step, epoch, losses, accuracies), placed at x / ex */
export type EvalPoint = Omit<Extract<MetricEvent, { kind: 'eval' }>, 'kind'> & { x: number; ex: number };

export type MarkerKind = 'lr' | 'batchSize' | 'restart' | 'diverged';

export interface Marker {
  kind: MarkerKind;
  /** where the change applies: between global steps x and x + 1 (the first new step is x + 1) */
  x: number;
  ex: number;
  run: number;
  /** the run's step number of the first step under the new setting (diverged: the step that failed) */
  step: number;
  /** short text for the chart, e.g. "lr 0.1 → 50" */
  label: string;
}

export interface DownloadProgress {
  loaded: number;
  total: number;
  file: string;
  phase: string;
}

/** a finished (or abandoned) run kept to compare with the next ones */
export interface PastRun {
  label: string;
  evals: EvalPoint[];
  loss: SeriesPoint[];
}

/** numbers in labels: up to 4 significant digits, no trailing zeros */
export function fmt(v: number): string {
  return fmtSig(v, 4, { expBelow: 1e-4, expFrom: 1e6 });
}

/** a series point's place on the x axis (the global step) */
export const atX = (p: { x: number }) => p.x;

// ── the stream → series ────────────────────────────────────────────────────────

export interface SeriesState {
  loss: SeriesPoint[];
  evals: EvalPoint[];
  speed: SeriesPoint[];
  markers: Marker[];
  /** the last training loss read back (null before any) */
  latestLoss: number | null;
  divergence: (DivergenceInfo & { x: number }) | null;
  /** global step and epoch where the current run starts */
  offset: { x: number; ex: number };
}

/**
 * Applies metric batches to the series: returns the new series state (old arrays are
 * not mutated). `lastEpoch` is the fractional epoch the current run has reached, kept
 * so that a restart can continue the epoch axis.
 */
export function ingestBatches(
  prev: SeriesState,
  batches: readonly MetricsBatch[],
  opts: { maxPoints: number; maxMarkers: number; lastEpoch: number },
): SeriesState & { lastEpoch: number } {
  let base = { loss: prev.loss, evals: prev.evals, speed: prev.speed, markers: prev.markers };
  let add = { loss: [] as SeriesPoint[], evals: [] as EvalPoint[], speed: [] as SeriesPoint[], markers: [] as Marker[] };
  let { latestLoss, divergence, offset } = prev;
  let lastEpoch = opts.lastEpoch;
  const at = (step: number, epoch = lastEpoch) => ({ x: offset.x + step, ex: offset.ex + epoch });
  for (const b of batches) {
    if (b.sweepRun !== undefined) continue;
    for (const e of b.events) {
      switch (e.kind) {
        case 'loss':
          lastEpoch = e.epoch;
          add.loss.push({ ...at(e.step, e.epoch), run: e.run, step: e.step, value: e.loss });
          latestLoss = e.loss;
          break;
        case 'eval':
          lastEpoch = e.epoch;
          add.evals.push({
            ...at(e.step, e.epoch),
            run: e.run,
            step: e.step,
            epoch: e.epoch,
            trainLoss: e.trainLoss,
            valLoss: e.valLoss,
            valAccuracy: e.valAccuracy,
            testLoss: e.testLoss,
            testAccuracy: e.testAccuracy,
          });
          break;
        case 'speed':
          add.speed.push({ ...at(e.step), run: e.run, step: e.step, value: e.examplesPerSec });
          break;
        case 'lr':
          // e.step is the first step with the new rate: the marker sits just before it
          add.markers.push({ kind: 'lr', ...at(e.step - 1), run: e.run, step: e.step, label: `lr ${fmt(e.previous)} → ${fmt(e.lr)}` });
          break;
        case 'setting':
          if (e.name === 'batchSize' && e.value !== e.previous) {
            add.markers.push({ kind: 'batchSize', ...at(e.step - 1), run: e.run, step: e.step, label: `batch ${e.previous} → ${e.value}` });
          }
          break;
        case 'restart':
          if (e.reason === 'reset') {
            base = { loss: [], evals: [], speed: [], markers: [] };
            add = { loss: [], evals: [], speed: [], markers: [] };
            offset = { x: 0, ex: 0 };
            latestLoss = null;
            divergence = null;
          } else {
            offset = { x: offset.x + e.previousStep, ex: offset.ex + lastEpoch };
            add.markers.push({ kind: 'restart', x: offset.x, ex: offset.ex, run: e.run, step: 0, label: e.reason === 'load' ? 'model loaded from a file' : `new model: ${e.hidden} hidden` });
            divergence = null;
          }
          lastEpoch = 0;
          break;
        case 'diverged': {
          const where = at(e.step);
          divergence = { step: e.step, lr: e.lr, loss: e.loss, lastFiniteStep: e.lastFiniteStep, cause: e.cause, reason: e.reason, x: where.x };
          add.markers.push({ kind: 'diverged', ...where, run: e.run, step: e.step, label: `diverged at step ${e.step}` });
          break;
        }
        case 'state':
        case 'device':
          break;
      }
    }
  }
  const markers = base.markers.concat(add.markers);
  return {
    loss: add.loss.length ? appendBounded(base.loss, add.loss, opts.maxPoints, atX) : base.loss,
    evals: add.evals.length ? appendBounded(base.evals, add.evals, opts.maxPoints, atX) : base.evals,
    speed: add.speed.length ? appendBounded(base.speed, add.speed, opts.maxPoints, atX) : base.speed,
    markers: markers.length > opts.maxMarkers ? markers.slice(markers.length - opts.maxMarkers) : markers,
    latestLoss,
    divergence,
    offset,
    lastEpoch,
  };
}
