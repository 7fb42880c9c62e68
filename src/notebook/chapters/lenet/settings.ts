// Chapter 5's state: LeNet trained on MNIST in the chapter's worker, and what the page does
// with the result. Two stores:
//
//   useLenetTraining  the notebook's training store (store/training.ts) over the chapter's
//                     worker: phase, download, snapshot, loss, evals, speed, divergence
//   useLenet          the chapter's settings (URL), and the inspection: the trained
//                     parameters loaded into a model on the page's backend (filters,
//                     feature maps, the draw pad), the test images, and the predictions
//                     on them (confusion matrix, misclassified digits)
//
// URL keys: lenet.lr, lenet.bs, lenet.ep, lenet.n (training examples per epoch, absent =
// DEFAULT_EXAMPLES, 0 = all 60 000), lenet.test (test images, absent = DEFAULT_TEST_IMAGES,
// 0 = all 10 000), lenet.seed, lenet.dev (the training backend: absent = the faster here,
// webgpu, cpu), lenet.img (the chosen test image).
//
// The training backend: WebGPU on a hardware adapter; on a software adapter (SwiftShader,
// llvmpipe, WARP: the kernels run on the CPU) whichever of WebGPU and the float64 CPU
// reference trained LeNet faster when measured there (SOFTWARE_ADAPTER_SPEED), unless the
// reader asks for the other one anyway.
//
// Flow: Train → init (MNIST downloaded with byte progress, model built) → start; metric
// batches arrive once per animation frame; while the loop runs the parameters are fetched
// every MODEL_REFRESH_MS (only while a cell that shows them is on screen); when it stops (paused, done, stopped) the parameters are fetched
// and the whole test set is predicted. The training worker answers both: the session's
// controls and its snapshot, testSet and predictTest requests (src/train/inspect.ts).

import { create } from 'zustand';
import { defineSettings, num, oneOf } from '../../../store/settings';
import { PageModel } from './page-model';
import { EXPERIMENTS } from '../../../train/experiments';
import type { ModelSnapshot, TestPredictions, TestSet } from '../../../train/inspect';
import type { SessionConfig, SessionState } from '../../../train/protocol';
import { currentBackend, softwareAdapterName, useDevice } from '../../../store/device';
import { createTrainingStore } from '../../../store/training';


const BASE = EXPERIMENTS['mnist-lenet'].config;

/** 'auto': WebGPU, or on a software adapter the faster backend there */
export type TrainingDevice = 'auto' | 'webgpu' | 'cpu';

export const MNIST_TRAIN = 60_000;
export const MNIST_TEST = 10_000;
export const EXAMPLE_CHOICES = [0, 10_000, 2_000, 1_000, 500, 100] as const;
export const TEST_CHOICES = [0, 2_000, 500, 100] as const;
/**
 * The default run: an epoch of 1 000 examples (a 60th of MNIST's training set) and a test
 * subset of 500 images, so that the first test accuracy shows within a minute on a 2-core
 * laptop without a GPU; "the full epoch" is one click away (FULL_EPOCH).
 */
export const DEFAULT_EXAMPLES = 1_000;
export const DEFAULT_TEST_IMAGES = 500;
/**
 * LeNet's training speed on a software adapter, in examples per second: the chapter's
 * worker in Chromium on SwiftShader, on the 2-core development machine, batch 64, the rate
 * at the end of the second of two epochs of 1 000 examples (two runs each, alternating:
 * WebGPU 168 and 164, the CPU reference 47 and 54; the means below). The chapter trains on
 * the faster. (In Node, on Dawn's SwiftShader, the two were about even over a whole epoch.)
 */
export const SOFTWARE_ADAPTER_SPEED: Readonly<Record<'webgpu' | 'cpu', number>> = { webgpu: 166, cpu: 50.5 };
/**
 * The largest learning rate the chapter takes. Adam moves each weight by about η per step,
 * so LeNet's float32 forward pass overflows (and the run diverges) only around η ≈ 10⁷.
 */
export const MAX_LR = 1e9;
/** the learning-rate input's lower bound (the URL is held to it too) */
export const MIN_LR = 1e-6;
/** how often the page fetches the parameters while training runs */
export const MODEL_REFRESH_MS = 1500;

// lr, batch size and epochs change live; the data settings and the seed wait for Reset
// (or the next Train), which starts a new session with them
const settings = defineSettings({
  prefix: 'lenet',
  fields: {
    lr: num('the learning rate', { min: MIN_LR, max: MAX_LR, default: (BASE.model.optimizer as { lr: number }).lr, url: 'lr', change: 'live' }),
    batchSize: num('the batch size', { min: 1, max: 4096, int: true, default: BASE.batchSize, url: 'bs', change: 'live' }),
    epochs: num('the number of epochs', { min: 1, max: 50, int: true, default: BASE.epochs, url: 'ep', change: 'live' }),
    /** training examples per epoch; 0: the whole training set */
    examples: oneOf<number>('examples per epoch', EXAMPLE_CHOICES, { unit: '(0 = all)', default: DEFAULT_EXAMPLES, url: 'n', change: 'rebuild' }),
    /** 0: the whole test set */
    testImages: oneOf<number>('test images', TEST_CHOICES, { unit: '(0 = all)', default: DEFAULT_TEST_IMAGES, url: 'test', change: 'rebuild' }),
    seed: num('the seed', { min: 0, max: 2 ** 31 - 1, int: true, default: BASE.seed, url: 'seed', change: 'rebuild' }),
    /** the training backend; 'auto': WebGPU, or on a software adapter the faster of the two there */
    device: oneOf<TrainingDevice>('the training device', ['auto', 'webgpu', 'cpu'], { default: 'auto', url: 'dev', change: 'rebuild' }),
    /** the test image shown in the feature-map cell */
    selected: num('the test image index', { min: 0, max: MNIST_TEST - 1, int: true, default: 0, url: 'img', change: 'none' }),
  },
});

export type LenetSettings = Omit<typeof settings.defaults, 'selected'>;
export const DEFAULTS = settings.defaults;
/** the schema (for the controls made from it) */
export const LENET_SETTINGS = settings;
export const useLenetSettings = settings.use;

/** the session configuration for the chapter's settings: the course's LeNet experiment, no validation split */
export function lenetConfig(s: LenetSettings): SessionConfig {
  const n = s.examples || MNIST_TRAIN;
  const steps = Math.ceil(n / s.batchSize);
  return {
    ...BASE,
    dataset: {
      name: 'mnist',
      layout: 'image',
      ...(s.examples ? { trainLimit: s.examples } : {}),
      ...(s.testImages ? { testLimit: s.testImages } : {}),
    },
    model: { ...BASE.model, optimizer: { ...BASE.model.optimizer, lr: s.lr } },
    batchSize: s.batchSize,
    epochs: s.epochs,
    seed: s.seed,
    // about 100 loss points per epoch, at most every 20 steps
    lossEvery: Math.max(1, Math.min(20, Math.round(steps / 100))),
  };
}

type DataSettings = Pick<LenetSettings, 'examples' | 'testImages' | 'seed' | 'device'>;

/** what needs a new session when it changes (the rest is changed live) */
function dataKey(s: DataSettings): string {
  return JSON.stringify([s.examples, s.testImages, s.seed, s.device]);
}

/** the faster backend on a software adapter, and how many times faster than the other (SOFTWARE_ADAPTER_SPEED) */
export function fasterOnSoftware(speed: Readonly<Record<'webgpu' | 'cpu', number>> = SOFTWARE_ADAPTER_SPEED): { faster: 'webgpu' | 'cpu'; slower: 'webgpu' | 'cpu'; ratio: number } {
  const faster = speed.webgpu >= speed.cpu ? 'webgpu' : 'cpu';
  const slower = faster === 'webgpu' ? 'cpu' : 'webgpu';
  return { faster, slower, ratio: speed[faster] / speed[slower] };
}

/**
 * The backend the chapter trains on: the one asked for, or for 'auto' WebGPU, unless the
 * page's WebGPU adapter is a software renderer (`software` names it): then the faster there.
 */
export function trainingBackend(
  adapter: { kind: 'webgpu' | 'cpu' | null; deviceName: string | null },
  device: TrainingDevice,
  speed: Readonly<Record<'webgpu' | 'cpu', number>> = SOFTWARE_ADAPTER_SPEED,
): { prefer: 'webgpu' | 'cpu'; software: string | null } {
  const software = adapter.kind === 'webgpu' ? softwareAdapterName(adapter.deviceName) : null;
  if (device !== 'auto') return { prefer: device, software };
  return { prefer: software ? fasterOnSoftware(speed).faster : 'webgpu', software };
}

interface LenetState {
  /** the data settings the current session was made with (null before the first) */
  appliedKey: string | null;
  /** the backend the current session was asked for, and the software adapter that decided it (null before the first) */
  trainingOn: { prefer: 'webgpu' | 'cpu'; software: string | null } | null;
  /** the parameters on the page: the snapshot, when it was read (run, step), and a counter that bumps per snapshot */
  model: { snapshot: ModelSnapshot; run: number; step: number; version: number } | null;
  testSet: TestSet | null;
  predictions: TestPredictions | null;
  predicting: { done: number; total: number } | null;
  /** why the parameters (or the test images) could not be fetched */
  modelError: string | null;
  /** why the test set could not be predicted */
  predictError: string | null;

  /** loads the data and builds the model when needed, then trains */
  train: () => Promise<void>;
  pause: () => Promise<void>;
  /** a new model from the seed (a new session when the data settings changed) */
  reset: () => Promise<void>;
  /** the test image shown (validated against the test set on the page) */
  select: (i: number) => void;
  /** fetch the parameters and predict the test set now (the loop must not be running) */
  refresh: () => Promise<void>;
}

let pageModel: PageModel | null = null;
let modelTimer: ReturnType<typeof setTimeout> | null = null;
let modelFetch: Promise<void> | null = null;
let fetchAgain = false;
let predictRun: Promise<void> | null = null;
let predictAgain = false;
let modelVersion = 0;

/** the chapter's training session: the notebook's training store over the chapter's worker */
export const useLenetTraining = createTrainingStore({
  name: 'LeNet',
  describe: (c) => `lr ${c.model.optimizer.lr}, batch ${c.batchSize}`,
});

/** the client of the chapter's training worker (null before the first Train) */
const inspect = () => useLenetTraining.getState().client();

/** the model on the page's backend (null until the first parameters arrived) */
export function lenetPageModel(): PageModel | null {
  return pageModel;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function settingsOf(): LenetSettings {
  const { selected: _selected, ...s } = settings.values();
  return s;
}

function sessionState(): SessionState | null {
  return useLenetTraining.getState().snapshot?.state ?? null;
}

// what the page does when the session's state changes
useLenetTraining.subscribe((now, before) => {
  const state = now.snapshot?.state;
  if (state === 'running') scheduleModelFetch();
  if (state === before.snapshot?.state || now.phase !== 'ready') return;
  if (state === 'paused' || state === 'done' || state === 'stopped') void fetchModel().then(() => predict());
});

/** the cells that show the page's model and are on screen now */
const visibleCells = new Set<string>();

/**
 * A cell that shows the page's model reports whether it is on screen: while training runs,
 * the parameters are fetched only while one of them is (the page does no work for cells
 * nobody sees); when training stops they are fetched anyway.
 */
export function setLenetCellVisible(id: string, visible: boolean): void {
  if (visible) {
    visibleCells.add(id);
    if (sessionState() === 'running') scheduleModelFetch();
  } else visibleCells.delete(id);
}

function scheduleModelFetch(): void {
  if (modelTimer || visibleCells.size === 0) return;
  modelTimer = setTimeout(() => {
    modelTimer = null;
    if (sessionState() !== 'running' || visibleCells.size === 0) return;
    void fetchModel().finally(() => {
      if (sessionState() === 'running') scheduleModelFetch();
    });
  }, MODEL_REFRESH_MS);
}

async function pageBackendModel(): Promise<PageModel> {
  if (pageModel && pageModel.backend === currentBackend()) return pageModel;
  await useDevice.getState().init();
  const b = currentBackend();
  if (!b) throw new Error(`no compute device on the page: ${useDevice.getState().error ?? 'the device request failed'}`);
  // after a device loss the page's backend is a new one: the model is rebuilt on it
  if (pageModel && pageModel.backend !== b) {
    pageModel.dispose();
    pageModel = null;
  }
  pageModel ??= new PageModel(b);
  return pageModel;
}

/**
 * The session's parameters now, into the page's model. Asked while a fetch is in flight
 * (one started while the loop ran, which may answer with an early step), it fetches again
 * once that one is done, so a pause always ends with the paused step's parameters.
 */
function fetchModel(): Promise<void> {
  if (modelFetch) {
    fetchAgain = true;
    return modelFetch;
  }
  const client = inspect();
  if (!client) return Promise.resolve();
  modelFetch = (async () => {
    do {
      fetchAgain = false;
      await fetchModelOnce(client);
    } while (fetchAgain);
  })().finally(() => {
    modelFetch = null;
  });
  return modelFetch;
}

async function fetchModelOnce(client: NonNullable<ReturnType<typeof inspect>>): Promise<void> {
  try {
    const snap = await client.snapshot();
    const bad = snap.layers.find((l) => Object.values(l.parameters).some((t) => !t.data.every(Number.isFinite)));
    if (bad) {
      useLenet.setState({
        modelError: `The parameters of ${bad.name} after step ${snap.step} are not finite numbers; the cells show the last finite ones.`,
      });
      return;
    }
    const pm = await pageBackendModel();
    await pm.load(snap);
    useLenet.setState({ model: { snapshot: snap, run: snap.run, step: snap.step, version: ++modelVersion }, modelError: null });
  } catch (e) {
    useLenet.setState({ modelError: `Could not read the model's parameters: ${message(e)}` });
  }
}

/** the model's predictions on the whole test set (again, if asked while one runs) */
function predict(): Promise<void> {
  if (predictRun) {
    predictAgain = true;
    return predictRun;
  }
  const client = inspect();
  if (!client) return Promise.resolve();
  predictRun = (async () => {
    try {
      do {
        predictAgain = false;
        const state = sessionState();
        if (state !== 'paused' && state !== 'done' && state !== 'stopped') return;
        useLenet.setState({ predicting: { done: 0, total: useLenetTraining.getState().dataset?.test ?? 0 }, predictError: null });
        const p = await client.predictTest((done, total) => useLenet.setState({ predicting: { done, total } }));
        useLenet.setState({ predictions: p, predicting: null });
      } while (predictAgain);
    } catch (e) {
      useLenet.setState({ predicting: null, predictError: `Could not predict the test set: ${message(e)}` });
    } finally {
      predictRun = null;
    }
  })();
  return predictRun;
}

/** a new session for the current settings: data, model, test images, parameters */
async function newSession(): Promise<boolean> {
  const s = settingsOf();
  useLenet.setState({ predictions: null, predictError: null, modelError: null, appliedKey: dataKey(s) });
  // the page's adapter is the worker's: a software one trains on the CPU reference
  await useDevice.getState().init();
  const trainingOn = trainingBackend(useDevice.getState(), s.device);
  useLenet.setState({ trainingOn });
  await useLenetTraining.getState().init(lenetConfig(s), trainingOn.prefer);
  const client = inspect();
  if (useLenetTraining.getState().phase !== 'ready' || !client) return false;
  try {
    const testSet = await client.testSet();
    const selected = settings.values().selected;
    useLenet.setState({ testSet });
    if (selected > testSet.count - 1) settings.use.getState().set('selected', testSet.count - 1);
  } catch (e) {
    useLenet.setState({ modelError: `Could not get the test images: ${message(e)}` });
  }
  await fetchModel();
  return true;
}

const live = () => useLenetTraining.getState().phase === 'ready';

// a live setting goes to the running session (a marker on the chart); the rest wait for a new session
settings.onChange((key) => {
  if (!live()) return;
  const s = settings.values();
  const t = useLenetTraining.getState();
  if ((key === 'lr' || key === null) && t.snapshot?.lr !== s.lr) void t.setLearningRate(s.lr);
  if (key === 'batchSize') void t.setBatchSize(s.batchSize);
  if (key === 'epochs') void t.setEpochs(s.epochs);
});

export const useLenet = create<LenetState>()((set, get) => ({
  appliedKey: null,
  trainingOn: null,
  model: null,
  testSet: null,
  predictions: null,
  predicting: null,
  modelError: null,
  predictError: null,

  train: async () => {
    const t = useLenetTraining.getState();
    if (t.phase === 'starting') return;
    if (t.phase !== 'ready' || get().appliedKey !== dataKey(settingsOf())) {
      if (!(await newSession())) return;
    }
    await useLenetTraining.getState().train();
  },
  pause: () => useLenetTraining.getState().pause(),
  reset: async () => {
    const t = useLenetTraining.getState();
    if (t.phase === 'starting' || t.phase === 'off') return;
    set({ predictions: null, predictError: null });
    if (t.phase !== 'ready' || get().appliedKey !== dataKey(settingsOf())) {
      await newSession();
      return;
    }
    await t.reset();
    await fetchModel();
  },
  select: (i) => {
    const count = get().testSet?.count ?? (settings.values().testImages || MNIST_TEST);
    if (!(Number.isInteger(i) && i >= 0 && i < count)) throw new Error(`test image index must be an integer in 0…${count - 1}, got ${i}`);
    settings.use.getState().set('selected', i);
  },
  refresh: async () => {
    await fetchModel();
    await predict();
  },
}));

/** true when the data settings differ from the session's (Reset or Train makes a new one) */
export function needsNewSession(s: DataSettings & { appliedKey: string | null }): boolean {
  return s.appliedKey !== null && s.appliedKey !== dataKey(s);
}
