// The built-in layers trained on the same configuration as the student's run, for the
// curve beside theirs: a training session in its own worker (src/train), on the CPU
// reference or WebGPU as the device allows. Resolves with the loss at every read and the
// final test accuracy.

import { TrainingClient, createTrainingWorker, type SessionConfig } from '../../../train';
import type { ChartPoint } from '../../../ui/LossChart';

export interface BuiltinRun {
  loss: ChartPoint[];
  testAccuracy: number | null;
}

export async function trainBuiltin(config: SessionConfig, prefer: 'webgpu' | 'cpu', onLoss?: (points: readonly ChartPoint[]) => void): Promise<BuiltinRun> {
  const worker = createTrainingWorker();
  const client = new TrainingClient(worker);
  const loss: ChartPoint[] = [];
  let testAccuracy: number | null = null;
  try {
    let finished!: (state: string) => void;
    const over = new Promise<string>((r) => (finished = r));
    client.onMetrics((batches) => {
      for (const b of batches) {
        for (const e of b.events) {
          if (e.kind === 'loss') loss.push({ step: e.step, value: e.loss });
          if (e.kind === 'eval' && e.testAccuracy !== null) testAccuracy = e.testAccuracy;
        }
        const s = b.snapshot.state;
        if (s === 'done' || s === 'diverged' || s === 'failed' || s === 'stopped') finished(s === 'done' ? s : b.snapshot.message);
      }
      onLoss?.(loss.slice());
    });
    client.onStopped((message) => finished(message));
    await client.init(config, prefer);
    await client.start();
    const end = await over;
    if (end !== 'done') throw new Error(`the built-in run ended: ${end}`);
    return { loss, testAccuracy };
  } finally {
    client.close();
    worker.terminate();
  }
}
