// The training session's Web Worker, every chapter's (LeNet's inspection included): the
// message handler on the worker's port, with the backend the browser offers (WebGPU when
// an adapter and a device are granted, else the float64 CPU reference, and the reason is
// reported in init's reply).
//
//   main thread: new TrainingClient(createTrainingWorker())   (client.ts)

import { createBackend } from '../engine';
import type { Backend } from '../engine/backend';
import { applyFault, isFaultRequest } from './faults';
import { createMessageHandler } from './handler';
import type { Request, WorkerMessage } from './protocol';

const scope = self as unknown as {
  postMessage(msg: WorkerMessage, transfer?: Transferable[]): void;
  addEventListener(type: 'message', f: (e: MessageEvent<Request>) => void): void;
};

/** the backend made last (the one in use), for the test faults (faults.ts) */
let latest: Backend | null = null;
const handle = createMessageHandler({
  post: (msg, transfer) => scope.postMessage(msg, transfer ?? []),
  createBackend: async (prefer) => {
    const made = await createBackend({ prefer });
    latest = made.backend;
    return made;
  },
});

scope.addEventListener('message', (e) => {
  const req: unknown = e.data;
  if (isFaultRequest(req)) applyFault(req, latest);
  else void handle(e.data);
});
