// The message handler behind the worker: Request in, Reply and events out. The Web
// Worker (worker.ts) wires it to postMessage; Node tests call it in-process (or through
// a MessageChannel), so the protocol is tested with the very code the browser runs.
//
// One backend per handler (made on the first init, destroyed on dispose when the
// handler made it), at most one session, and sweeps on the same backend. Controls are
// answered while the loop runs: the session lets the event loop in between steps.
//
// A lost GPU device (backend.lost) is dropped, never reused: the handler makes a new
// backend at once and continues the session on it from the parameters it last read back
// (the session keeps them on the host with its periodic loss reads: at epoch ends, pauses, and at most once a second), paused there with a
// message that says so; a later init or sweep gets the new backend too.

import type { Backend } from '../engine/backend';
import { DEVICE_LOST_DURING } from './client';
import type { LoadProgress } from '../nn/data/load';
import { loadSessionData, type SessionData } from './data';
import { PREDICT_CHUNK, predictTest, snapshotBuffers, snapshotModel, testSetOf } from './inspect';
import type { BackendInfo, DatasetSpec, ReadyInfo, Reply, ReplyValues, Request, RequestType, WorkerMessage } from './protocol';
import { parseRequest } from './protocol';
import { previewOwnData } from './own-data';
import { TrainingSession } from './session';
import { runSweep } from './sweep';

export interface HandlerEnv {
  /** sends a message; `transfer` lists buffers the message owns whole (moved, not copied) */
  post(msg: WorkerMessage, transfer?: Transferable[]): void;
  /** the backend for init's `prefer` (the worker: createBackend from src/engine) */
  createBackend(prefer: 'webgpu' | 'cpu'): Promise<{ backend: Backend; fallbackReason: string | null }>;
  /** the data for a spec (default: loadSessionData, i.e. loadDataset) */
  loadData?: (spec: DatasetSpec, seed: number, onProgress: (p: LoadProgress) => void) => Promise<SessionData>;
  /** destroy the backend on dispose (default true: the handler made it) */
  ownsBackend?: boolean;
  /** told each time the handler's session changes (null: none) */
  onSession?: (session: TrainingSession | null) => void;
}

export type MessageHandler = (req: Request) => Promise<void>;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function createMessageHandler(env: HandlerEnv): MessageHandler {
  let backend: { backend: Backend; fallbackReason: string | null; prefer: 'webgpu' | 'cpu'; lost: string | null } | null = null;
  /** the move to a new device after a loss; requests wait for it */
  let recovering: Promise<void> | null = null;
  let session: TrainingSession | null = null;
  const setSession = (s: TrainingSession | null) => {
    session = s;
    env.onSession?.(s);
  };
  let sweep: AbortController | null = null;
  const load = env.loadData ?? ((spec, seed, onProgress) => loadSessionData(spec, seed, onProgress));

  const progress = (p: LoadProgress) => env.post({ type: 'progress', loaded: p.loaded, total: p.total, file: p.file, phase: p.phase });

  async function getBackend(prefer: 'webgpu' | 'cpu'): Promise<NonNullable<typeof backend>> {
    if (backend && backend.prefer === prefer && !backend.lost) return backend;
    if (backend) {
      await session?.dispose().catch(() => undefined);
      setSession(null);
      if (env.ownsBackend !== false) backend.backend.destroy();
      backend = null;
    }
    const made = { ...(await env.createBackend(prefer)), prefer, lost: null as string | null };
    backend = made;
    void made.backend.lost?.then((reason) => {
      made.lost = reason;
      if (backend === made) recovering ??= recover(made, reason).finally(() => (recovering = null));
    });
    return made;
  }

  /** a new backend, and the session continued on it from its checkpoint */
  async function recover(lostOne: NonNullable<typeof backend>, lostReason: string): Promise<void> {
    let reason = lostReason;
    sweep?.abort();
    const old = session;
    const stoppedAt = old?.snapshot().step ?? 0;
    const checkpoint = old?.checkpoint ?? null;
    await old?.dispose().catch(() => undefined);
    if (session === old) setSession(null);
    if (backend === lostOne) {
      if (env.ownsBackend !== false) lostOne.backend.destroy();
      backend = null;
    }
    if (!old) return;
    let b: NonNullable<typeof backend>;
    try {
      b = await getBackend(lostOne.prefer);
    } catch (e) {
      env.post({ type: 'metrics', batch: { events: [{ kind: 'state', run: old.snapshot().run, step: stoppedAt, state: 'failed', message: `${reason}; no new device: ${errorText(e)}` }], snapshot: { ...old.snapshot(), state: 'failed', message: `${reason}; no new device: ${errorText(e)}` } } });
      return;
    }
    const from = checkpoint ? checkpoint.step : 0;
    reason = reason.replace(/[.\s]+$/, '');
    const message = checkpoint
      ? `${reason}. Continued on a new device (${b.backend.deviceName}) from step ${from}, the parameters last read back (${stoppedAt > from ? `steps ${from + 1}–${stoppedAt} are redone; ` : ''}the optimizer's momentum starts afresh). Press Train to go on.`
      : `${reason}. A new device (${b.backend.deviceName}) is ready; no parameters had been read back yet, so the model starts again from its seed. Press Train to go on.`;
    const made = await TrainingSession.create(b.backend, checkpoint ? { ...old.config, model: checkpoint.model } : old.config, (batch) => env.post({ type: 'metrics', batch }), {
      data: old.data,
      keepParameters: true,
      resume: checkpoint ? { checkpoint, message } : undefined,
    });
    setSession(made);
    if (!checkpoint) made.announceNewDevice(message);
  }

  function info(): BackendInfo {
    const b = backend!;
    return { kind: b.backend.kind, deviceName: b.backend.deviceName, isFallback: b.backend.isFallback, fallbackReason: b.fallbackReason };
  }

  function need(): TrainingSession {
    if (!session) throw new Error('no training session: send init first');
    return session;
  }

  /** the reply's value; `transfer` collects the buffers it owns whole */
  async function run(req: Request, transfer: Transferable[]): Promise<ReplyValues[RequestType]> {
    switch (req.type) {
      case 'init': {
        sweep?.abort();
        const b = await getBackend(req.prefer ?? 'webgpu');
        await session?.dispose();
        setSession(null);
        const data = await load(req.config.dataset, req.config.seed, progress);
        const made = await TrainingSession.create(b.backend, req.config, (batch) => env.post({ type: 'metrics', batch }), { data, keepParameters: true });
        setSession(made);
        const ready: ReadyInfo = { backend: info(), dataset: made.dataInfo, snapshot: made.snapshot() };
        return ready;
      }
      case 'start':
        return need().start();
      case 'resume':
        return need().resume();
      case 'pause':
        return need().pause();
      case 'step':
        return need().stepOnce(req.count ?? 1);
      case 'stop':
        // stops a sweep (its current run ends, the rest are skipped) and/or the session
        if (sweep && !session) {
          sweep.abort();
          return null;
        }
        sweep?.abort();
        return need().stop();
      case 'reset':
        return need().reset();
      case 'setLearningRate':
        return need().setLearningRate(req.lr);
      case 'setHiddenSize':
        return need().setHiddenSize(req.hidden);
      case 'setBatchSize':
        return need().setBatchSize(req.batchSize);
      case 'setEpochs':
        return need().setEpochs(req.epochs);
      case 'trace':
        return need().trace(req.maxValues);
      case 'sweep': {
        if (sweep) throw new Error('a sweep is already running; stop it first');
        if (session?.status === 'running') await session.pause();
        const b = backend ?? (await getBackend('webgpu'));
        const data = await load(req.spec.base.dataset, req.spec.base.seed, progress);
        const ctl = new AbortController();
        sweep = ctl;
        try {
          return await runSweep(b.backend, req.spec, data, {
            signal: ctl.signal,
            onMetrics: (batch) => env.post({ type: 'metrics', batch }),
            onTable: (table) => env.post({ type: 'sweep', table }),
          });
        } finally {
          if (sweep === ctl) sweep = null;
        }
      }
      case 'snapshot': {
        const snap = await snapshotModel(need());
        transfer.push(...snapshotBuffers(snap));
        return snap;
      }
      case 'testSet': {
        const t = testSetOf(need());
        transfer.push(t.images.buffer, t.labels.buffer);
        return t;
      }
      case 'predictTest': {
        const p = await predictTest(need(), req.chunk ?? PREDICT_CHUNK, (done, total) => env.post({ type: 'predict-progress', id: req.id, done, total }));
        transfer.push(p.labels.buffer, p.predicted.buffer, p.probs.buffer);
        return p;
      }
      case 'previewData': {
        const p = await previewOwnData(req.source, req.seed, req.testFraction);
        if (p.images) transfer.push(p.images.pixels.buffer);
        return p;
      }
      case 'setParameters':
        return need().loadParameters(req.file);
      case 'dispose': {
        sweep?.abort();
        await session?.dispose();
        setSession(null);
        if (backend && env.ownsBackend !== false) backend.backend.destroy();
        backend = null;
        return null;
      }
      default:
        throw new Error(`unknown request type '${(req as { type?: unknown }).type}'`);
    }
  }

  /** true when `b` was lost (or is being lost: its device.lost may settle just after the failed read) */
  async function wasLost(b: typeof backend): Promise<boolean> {
    if (!b?.backend.lost) return false;
    if (b.lost) return true;
    const settled = await Promise.race([b.backend.lost.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))]);
    return settled;
  }

  return async (req: Request) => {
    let reply: Reply;
    let used: typeof backend = null;
    const transfer: Transferable[] = [];
    try {
      if (recovering) await recovering;
      used = backend;
      // every message is checked at the entry: a malformed one is refused naming its field
      const value = await run(parseRequest(req), transfer);
      reply = { type: 'reply', id: req.id, ok: true, value };
    } catch (e) {
      let error = errorText(e);
      if (await wasLost(used)) {
        const goOn = req?.type === 'sweep' ? 'a new device is ready: run the sweep again' : 'the session goes on on a new device from the parameters it last read back';
        error = `${DEVICE_LOST_DURING} '${req?.type}' ran (${error}); ${goOn}`;
      }
      reply = { type: 'reply', id: req?.id ?? -1, ok: false, error };
      transfer.length = 0;
    }
    env.post(reply, transfer);
  };
}
