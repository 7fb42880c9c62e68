// A training worker that dies: its port's `error` event (an uncaught error in the
// worker, a script that fails to load) and `messageerror` (a reply that cannot be read).
// A stand-in port runs the real message handler in-process on the CPU reference and can
// fire those events. Before: init stayed pending, a running store stayed "running",
// Pause never returned, dispose() hung and the worker was never terminated.

import { afterEach, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { TrainingClient, type PortEventType, type PortLike } from '../src/train/client';
import { createMessageHandler } from '../src/train/handler';
import type { Request, SessionConfig } from '../src/train/protocol';
import { createSweepStore } from '../src/store/sweep';
import { createTrainingStore } from '../src/store/training';
import { blobsSession } from './helpers/sessions';

const config: SessionConfig = blobsSession({ hidden: 8 });

type Listener = (e: MessageEvent & Partial<ErrorEvent>) => void;

/** a Worker's surface over the real handler; `fire` plays the events a dying worker sends */
class StandInWorker implements PortLike {
  private listeners = new Map<PortEventType, Set<Listener>>();
  terminated = 0;
  /** requests the worker saw */
  received: Request[] = [];
  /** a worker that answers nothing (stuck, or dead before replying) */
  silent = false;
  private handle = createMessageHandler({
    post: (m) => setTimeout(() => !this.terminated && this.emit('message', { type: 'message', data: m })),
    createBackend: async () => ({ backend: createCpuBackend(), fallbackReason: null }),
  });

  postMessage(msg: unknown): void {
    if (this.terminated) return;
    this.received.push(msg as Request);
    if (!this.silent) setTimeout(() => void this.handle(msg as Request));
  }
  addEventListener(type: PortEventType, l: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(l);
  }
  removeEventListener(type: PortEventType, l: Listener): void {
    this.listeners.get(type)?.delete(l);
  }
  terminate(): void {
    this.terminated++;
  }
  listenerCount(): number {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0);
  }
  emit(type: PortEventType, e: object): void {
    for (const l of [...(this.listeners.get(type) ?? [])]) l(e as MessageEvent & Partial<ErrorEvent>);
  }
  /** what a browser dispatches for an uncaught error in the worker */
  crash(message = 'Uncaught Error: kaboom'): void {
    this.emit('error', { type: 'error', message, filename: 'http://localhost/assets/worker-abc.js', lineno: 7 });
  }
}

const frame = (cb: () => void) => void setTimeout(cb, 16);
const stores: { dispose: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.dispose();
});

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** settles within a few event-loop turns, or reports that it is still pending */
async function settled<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error } | 'pending'> {
  const out = p.then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, error }),
  );
  let r: Awaited<typeof out> | 'pending' = 'pending';
  void out.then((v) => (r = v));
  for (let i = 0; i < 20 && r === 'pending'; i++) await new Promise((res) => setTimeout(res, 0));
  return r;
}

describe('TrainingClient and a dying worker', () => {
  it("the worker's error event rejects a pending init with the worker's message and terminates it", async () => {
    const w = new StandInWorker();
    w.silent = true; // init is in flight when the worker dies
    const c = new TrainingClient(w, { frame });
    const stopped: string[] = [];
    c.onStopped((m) => stopped.push(m));
    const init = c.init(config, 'cpu');
    expect(await settled(init)).toBe('pending');
    w.crash();
    const r = await settled(init);
    expect(r).not.toBe('pending');
    expect(r !== 'pending' && !r.ok && r.error.message).toBe('the training worker stopped: Uncaught Error: kaboom (worker-abc.js:7)');
    expect(stopped).toEqual(['the training worker stopped: Uncaught Error: kaboom (worker-abc.js:7)']);
    expect(w.terminated).toBeGreaterThanOrEqual(1);
    expect(w.listenerCount(), 'the client stops listening').toBe(0);
    // later requests fail at once with the same words
    await expect(c.start()).rejects.toThrow('the training worker stopped: Uncaught Error: kaboom');
    expect(w.received.map((q) => q.type)).toEqual(['init']);
  });

  it('messageerror rejects every pending request', async () => {
    const w = new StandInWorker();
    w.silent = true;
    const c = new TrainingClient(w, { frame });
    const a = settled(c.init(config, 'cpu'));
    const b = settled(c.pause());
    w.emit('messageerror', { type: 'messageerror', data: null });
    for (const p of [a, b]) {
      const r = await p;
      expect(r !== 'pending' && !r.ok && r.error.message).toBe('the training worker stopped: a message from the worker could not be read (messageerror)');
    }
    expect(w.terminated).toBeGreaterThanOrEqual(1);
  });

  it('dispose() after the worker died resolves without asking it, and terminates it', async () => {
    const w = new StandInWorker();
    const c = new TrainingClient(w, { frame });
    await c.init(config, 'cpu');
    w.silent = true;
    w.crash('Uncaught RangeError: out of memory');
    const r = await settled(c.dispose());
    expect(r).toEqual({ ok: true, value: undefined });
    expect(w.received.map((q) => q.type)).toEqual(['init']);
    expect(w.terminated).toBeGreaterThanOrEqual(1);
  });

  it('dispose() of a worker that dies while it waits for the reply resolves too', async () => {
    const w = new StandInWorker();
    const c = new TrainingClient(w, { frame });
    await c.init(config, 'cpu');
    w.silent = true;
    const d = c.dispose();
    expect(await settled(d)).toBe('pending');
    w.crash();
    expect(await settled(d)).toEqual({ ok: true, value: undefined });
    expect(w.terminated).toBeGreaterThanOrEqual(1);
  });

  it('dispose() of a worker that never answers (stuck, no error event) gives up and terminates it', async () => {
    const w = new StandInWorker();
    const c = new TrainingClient(w, { frame });
    await c.init(config, 'cpu');
    w.silent = true;
    await c.dispose({ waitMs: 20 });
    expect(w.received.map((q) => q.type)).toEqual(['init', 'dispose']);
    expect(w.terminated).toBe(1);
    await expect(c.start()).rejects.toThrow('training client: closed');
  });

  it('a live worker: dispose() asks it to free the session, then terminates it', async () => {
    const w = new StandInWorker();
    const c = new TrainingClient(w, { frame });
    await c.init(config, 'cpu');
    await c.dispose();
    expect(w.received.map((q) => q.type)).toEqual(['init', 'dispose']);
    expect(w.terminated).toBe(1);
  });

  it("the inspection requests (snapshot, predictTest) pending on the worker reject with the controls'", async () => {
    const w = new StandInWorker();
    w.silent = true;
    const c = new TrainingClient(w, { frame });
    const snap = settled(c.snapshot() as Promise<unknown>);
    const predict = settled(c.predictTest(() => undefined) as Promise<unknown>);
    const init = settled(c.init(config, 'cpu') as Promise<unknown>);
    w.crash();
    for (const p of [snap, predict, init]) {
      const r = await p;
      expect(r !== 'pending' && !r.ok && r.error.message).toMatch(/^the training worker stopped: Uncaught Error: kaboom/);
    }
    await expect(c.testSet()).rejects.toThrow('the training worker stopped');
    expect(w.listenerCount()).toBe(0);
  });
});

describe('training store and a dying worker', () => {
  it('a running store shows "the training worker stopped: …", Pause returns, and restart() makes a fresh worker', async () => {
    const workers: StandInWorker[] = [];
    const store = createTrainingStore({
      name: 'test',
      createPort: () => {
        const w = new StandInWorker();
        workers.push(w);
        return w;
      },
      frame,
    });
    stores.push(store.getState());
    const s = () => store.getState();
    await s().init(config, 'cpu');
    await s().train();
    await until(() => s().loss.length >= 3, 'a few losses');
    expect(s().snapshot?.state).toBe('running');
    const pointsBefore = s().loss.length;

    workers[0]!.silent = true;
    const pause = s().pause(); // in flight when the worker dies
    workers[0]!.crash();
    expect(await settled(pause)).toEqual({ ok: true, value: undefined });
    expect(s().phase).toBe('stopped');
    expect(s().error).toBe('test: the training worker stopped: Uncaught Error: kaboom (worker-abc.js:7)');
    expect(s().snapshot?.state, 'no longer "running"').toBe('failed');
    expect(s().loss.length, 'the chart of the lost run stays').toBeGreaterThanOrEqual(pointsBefore);
    expect(workers[0]!.terminated).toBeGreaterThanOrEqual(1);
    // controls answer at once, and do not replace the message
    expect(await settled(s().train())).toEqual({ ok: true, value: undefined });
    expect(s().error).toMatch(/the training worker stopped/);
    // going on: a new worker and session with the same configuration
    await s().restart();
    expect(workers.length).toBe(2);
    expect(s().phase).toBe('ready');
    expect(s().error).toBeNull();
    expect(s().snapshot).toMatchObject({ state: 'idle', step: 0 });
    await s().step(2);
    expect(s().snapshot?.step).toBe(2);
    // dispose() on the store never hangs
    expect(await settled(s().dispose())).toEqual({ ok: true, value: undefined });
    expect(workers[1]!.terminated).toBeGreaterThanOrEqual(1);
  });

  it('a worker that dies during init leaves the store "stopped", not "starting"', async () => {
    const w = new StandInWorker();
    w.silent = true;
    const store = createTrainingStore({ name: 'test', createPort: () => w, frame });
    stores.push(store.getState());
    const init = store.getState().init(config, 'cpu');
    await new Promise((r) => setTimeout(r, 5));
    expect(store.getState().phase).toBe('starting');
    w.emit('error', { type: 'error', message: '' });
    expect(await settled(init)).toEqual({ ok: true, value: undefined });
    expect(store.getState().phase).toBe('stopped');
    expect(store.getState().error).toBe('test: the training worker stopped: an uncaught error (the browser gives no message; see the console)');
  });
});

describe('sweep store and a dying worker', () => {
  it('the sweep in flight fails with the worker\'s message, and the next sweep starts a new worker', async () => {
    const workers: StandInWorker[] = [];
    const store = createSweepStore({
      name: 'test sweep',
      createPort: () => {
        const w = new StandInWorker();
        w.silent = workers.length === 0; // the first one dies before it answers
        workers.push(w);
        return w;
      },
      frame,
    });
    const spec = { base: { ...config, epochs: 2, dataset: { name: 'blobs' as const } }, learningRates: [0.1], hiddenSizes: [2, 4] };
    const run = settled(store.getState().run(spec, 'cpu'));
    await until(() => workers.length === 1 && workers[0]!.received.length > 0, 'the sweep request');
    workers[0]!.crash();
    expect(await run).toEqual({ ok: true, value: undefined });
    expect(store.getState().status).toBe('failed');
    expect(store.getState().error).toMatch(/^the training worker stopped: Uncaught Error: kaboom/);
    await store.getState().run(spec, 'cpu');
    expect(workers.length).toBe(2);
    expect(store.getState().status).toBe('done');
    expect(store.getState().table!.rows).toHaveLength(2);
  });
});
