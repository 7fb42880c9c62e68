// A lost GPU device (Dawn on SwiftShader; device.destroy() plays the driver reset): the
// worker's handler drops the lost backend, makes a new one, and continues the session on
// it from the parameters it last read back — the same parameters, bit for bit, and the
// step after the one they were read at. Before: every later request and every new session
// failed with "GPU device lost … Create a new backend", and a loss read in flight escaped
// as an unhandled rejection.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebGPUBackend, type WebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import { nodeGPU } from '../src/engine/gpu/node';
import { toyDataset } from '../src/nn/data/toy';
import { prepareSplits } from '../src/train/data';
import { createMessageHandler } from '../src/train/handler';
import type { MetricsBatch, Reply, Request, SessionConfig, SessionSnapshot, WorkerMessage } from '../src/train/protocol';
import { TrainingSession } from '../src/train/session';
import { blobsSession } from './helpers/sessions';

const config: SessionConfig = blobsSession({ hidden: 12, activation: 'tanh', lr: 0.2, momentum: 0.5 }, { epochs: 1000, seed: 5, lossEvery: 3, flushMs: 0 });

const rejections: unknown[] = [];
const onRejection = (e: unknown) => void rejections.push(e);
beforeAll(() => void process.on('unhandledRejection', onRejection));
afterAll(() => void process.off('unhandledRejection', onRejection));

/** the handler as the worker runs it, with every backend it made and every message it sent */
function harness() {
  const backends: WebGPUBackend[] = [];
  const messages: WorkerMessage[] = [];
  let session: TrainingSession | null = null as TrainingSession | null;
  let nextId = 1;
  const waiting = new Map<number, (r: Reply) => void>();
  const handle = createMessageHandler({
    post: (m) => {
      messages.push(m);
      if (m.type === 'reply') waiting.get(m.id)?.(m);
    },
    createBackend: async () => {
      const b = await createWebGPUBackend(await nodeGPU());
      backends.push(b);
      return { backend: b, fallbackReason: null };
    },
    onSession: (s) => void (session = s),
  });
  const ask = <T,>(body: Omit<Request, 'id'> & Record<string, unknown>): Promise<T> => {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, (r) => (r.ok ? resolve(r.value as T) : reject(new Error(r.error))));
      void handle({ ...body, id } as Request);
    });
  };
  const states = () => messages.flatMap((m) => (m.type === 'metrics' ? (m.batch as MetricsBatch).events : [])).filter((e) => e.kind === 'state');
  return { backends, messages, ask, states, session: () => session };
}

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let h: ReturnType<typeof harness> | null = null;
afterEach(async () => {
  await h?.ask({ type: 'dispose' }).catch(() => undefined);
  h = null;
});

describe('a lost GPU device', () => {
  it('while paused: the session continues on a new device from the parameters read at the last periodic read', async () => {
    h = harness();
    const t = h;
    await t.ask({ type: 'init', config, prefer: 'webgpu' });
    const s1 = await t.ask<SessionSnapshot>({ type: 'step', count: 7 }); // reads at 3, 6 and 7 (the last)
    expect(s1.step).toBe(7);
    const kept = t.session()!.checkpoint!;
    expect(kept.step).toBe(7);
    const before = Float32Array.from(await t.session()!.backend.read(t.session()!.model.arena!.params));
    expect(Array.from(kept.params as Float32Array)).toEqual(Array.from(before));

    const lostOne = t.backends[0]!;
    lostOne.ctx.device.destroy();
    await until(() => t.states().some((e) => e.kind === 'state' && /Continued on a new device/.test(e.message)), 'the move to a new device');
    expect(t.backends.length, 'a new backend was made').toBe(2);
    const last = t.states().at(-1)!;
    expect(last).toMatchObject({ state: 'paused', step: 7 });
    expect(last.kind === 'state' && last.message).toMatch(/^GPU device lost \(reason: destroyed\): [^]*[^.]\. Continued on a new device .* from step 7, the parameters last read back \(the optimizer's momentum starts afresh\)\. Press Train to go on\.$/);

    // the page is told in a 'device' event, once
    const told = t.messages.flatMap((m) => (m.type === 'metrics' ? m.batch.events : [])).filter((e) => e.kind === 'device');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ kind: 'device', step: 7 });

    const resumed = t.session()!;
    expect(resumed.backend).toBe(t.backends[1]);
    const after = Float32Array.from(await resumed.backend.read(resumed.model.arena!.params));
    expect(Array.from(after), 'the parameters continue bit for bit').toEqual(Array.from(before));
    const s2 = await t.ask<SessionSnapshot>({ type: 'step', count: 2 });
    expect(s2).toMatchObject({ step: 9, state: 'paused', run: s1.run });
    const loss = t.messages.flatMap((m) => (m.type === 'metrics' ? m.batch.events : [])).filter((e) => e.kind === 'loss' && e.step === 9);
    expect(loss.length).toBe(1);
    expect(Number.isFinite(loss[0]!.kind === 'loss' && loss[0]!.loss)).toBe(true);

    // a new session works on the new device too
    const ready = await t.ask<{ backend: { kind: string } }>({ type: 'init', config, prefer: 'webgpu' });
    expect(ready.backend.kind).toBe('webgpu');
    expect((await t.ask<SessionSnapshot>({ type: 'step', count: 1 })).step).toBe(1);
    expect(t.backends.length).toBe(2);
    expect(rejections).toEqual([]);
  });

  it('while training: the reads in flight fail without an unhandled rejection, and training goes on from the kept step', async () => {
    h = harness();
    const t = h;
    await t.ask({ type: 'init', config: { ...config, lossEvery: 1, maxReadsInFlight: 3 }, prefer: 'webgpu' });
    await t.ask({ type: 'start' });
    await until(() => (t.session()!.checkpoint?.step ?? 0) >= 12, 'a dozen steps read back');
    t.backends[0]!.ctx.device.destroy();
    await until(() => t.backends.length === 2 && t.session()?.backend === t.backends[1] && t.states().some((e) => e.kind === 'state' && /Continued on a new device/.test(e.message)), 'the move to a new device');
    const resumed = t.session()!.snapshot();
    expect(resumed.state).toBe('paused');
    expect(resumed.step).toBeGreaterThanOrEqual(12);
    // the old session ended 'failed' on the lost device before the new one took over
    expect(t.states().some((e) => e.kind === 'state' && e.state === 'failed' && /GPU device lost/.test(e.message))).toBe(true);
    await t.ask({ type: 'start' });
    await until(() => t.session()!.snapshot().step >= resumed.step + 5, 'five more steps on the new device');
    const p = await t.ask<SessionSnapshot>({ type: 'pause' });
    expect(p.state).toBe('paused');
    // give any stray rejection a chance to surface
    await new Promise((r) => setTimeout(r, 50));
    expect(rejections).toEqual([]);
  });

  it('with several loss reads in flight: each fails inside the session (state "failed"), none unhandled', async () => {
    const spec = { name: 'blobs' as const };
    const data = prepareSplits(spec, toyDataset('blobs', { seed: 2, part: 'train', perClass: 400 }), toyDataset('blobs', { seed: 2, part: 'test', perClass: 40 }), 2);
    const gpu = await createWebGPUBackend(await nodeGPU());
    let lostAt = 0;
    let lastRead = 0;
    const s = await TrainingSession.create(
      gpu,
      { ...config, dataset: spec, epochs: 5, lossEvery: 1, maxReadsInFlight: 8 },
      (b) => {
        for (const e of b.events) if (e.kind === 'loss') lastRead = Math.max(lastRead, e.step);
        // the device goes at the first moment after step 3 when the loop has run ahead of its
        // reads (steps recorded whose loss is not read yet); when it has not, wait for one
        if (!lostAt && lastRead >= 3 && b.snapshot.step > lastRead) {
          lostAt = b.snapshot.step;
          gpu.ctx.device.destroy();
        }
      },
      { data },
    );
    const end = await s.runToEnd();
    expect(lostAt).toBeGreaterThan(3);
    expect(end.state).toBe('failed');
    expect(end.message).toMatch(/^failed at step \d+: GPU device lost \(reason: destroyed\)/);
    await s.dispose();
    await new Promise((r) => setTimeout(r, 50));
    expect(rejections).toEqual([]);
    gpu.destroy();
  });
});
