// The training session's Web Worker: the message handler on the worker's port, with the
// backend the browser offers (WebGPU when an adapter and a device are granted, else the
// float64 CPU reference, and the reason is reported in init's reply).
//
//   main thread: new TrainingClient(createTrainingWorker())   (client.ts)

import { createBackend } from '../engine';
import { createMessageHandler } from './handler';
import type { Request, WorkerMessage } from './protocol';

const scope = self as unknown as {
  postMessage(msg: WorkerMessage): void;
  addEventListener(type: 'message', f: (e: MessageEvent<Request>) => void): void;
};

const handle = createMessageHandler({
  post: (msg) => scope.postMessage(msg),
  createBackend: (prefer) => createBackend({ prefer }),
});

scope.addEventListener('message', (e) => void handle(e.data));
