// Chapter 5's training worker: the session's own message handler (src/train/handler.ts),
// plus the chapter's inspect requests (inspector.ts) on the same port, which read the
// model and the test split of the session the handler made (its onSession hook).
//
//   page: new TrainingClient(worker) and new InspectClient(worker)   (inspect-client.ts)

import { createBackend } from '../../../engine';
import type { Backend } from '../../../engine/backend';
import { applyFault, isFaultRequest } from '../../../train/faults';
import { createMessageHandler } from '../../../train/handler';
import type { Request, WorkerMessage } from '../../../train/protocol';
import type { TrainingSession } from '../../../train/session';
import { isInspectRequest, type InspectMessage, type InspectRequest } from './inspect-protocol';
import { createInspector } from './inspector';

const scope = self as unknown as {
  postMessage(msg: WorkerMessage | InspectMessage, transfer?: Transferable[]): void;
  addEventListener(type: 'message', f: (e: MessageEvent<Request | InspectRequest>) => void): void;
};

let session: TrainingSession | null = null;
/** the backend made last (the one in use), for the test faults */
let latest: Backend | null = null;
const handle = createMessageHandler({
  post: (msg) => scope.postMessage(msg),
  createBackend: async (prefer) => {
    const made = await createBackend({ prefer });
    latest = made.backend;
    return made;
  },
  onSession: (s) => {
    session = s;
  },
});
const inspect = createInspector({ session: () => session, post: (msg, transfer) => scope.postMessage(msg, transfer ?? []) });

scope.addEventListener('message', (e) => {
  const req = e.data;
  if (isFaultRequest(req)) applyFault(req, latest);
  else if (isInspectRequest(req)) void inspect(req);
  else void handle(req);
});
