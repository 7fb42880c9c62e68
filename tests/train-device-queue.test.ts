// One device queue: tasks from overlapping callers run one at a time, in call order, each
// to its end; a failure rejects its own caller only. The page's queue is the one the
// cells (runExclusive) and the LeNet chapter's page model share.

import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { runExclusive } from '../src/notebook/cells/backend-task';
import { PageModel } from '../src/notebook/chapters/lenet/page-model';
import { DeviceQueue, pageQueue } from '../src/train/device-queue';

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('DeviceQueue', () => {
  it('two overlapping callers are serialized: the second starts after the first ends', async () => {
    const q = new DeviceQueue();
    const log: string[] = [];
    const task = (name: string, turns: number) => async () => {
      log.push(`${name} start`);
      for (let i = 0; i < turns; i++) await tick(); // awaits inside the task: the other caller may not get in
      log.push(`${name} end`);
      return name;
    };
    const a = q.run(task('a', 3));
    const b = q.run(task('b', 1));
    expect(q.pending).toBe(2);
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(q.pending).toBe(0);
  });

  it("a failing task rejects its caller and the next task still runs", async () => {
    const q = new DeviceQueue();
    const bad = q.run(async () => {
      await tick();
      throw new Error('out of memory');
    });
    const good = q.run(async () => 42);
    await expect(bad).rejects.toThrow('out of memory');
    expect(await good).toBe(42);
  });

  it("the page's cells and the LeNet page model share the page's queue", async () => {
    const cpu = createCpuBackend();
    const pm = new PageModel(cpu);
    const log: string[] = [];
    const cell = runExclusive(async () => {
      log.push('cell start');
      await tick();
      await tick();
      log.push('cell end');
    });
    // no model loaded yet: infer fails, but only after the cell's task ended
    const infer = pm.infer(new Float32Array(4)).catch((e: Error) => log.push(`infer: ${e.message}`));
    const other = pageQueue.run(async () => void log.push('other'));
    await Promise.all([cell, infer, other]);
    expect(log).toEqual(['cell start', 'cell end', 'infer: no model loaded yet', 'other']);
  });
});
