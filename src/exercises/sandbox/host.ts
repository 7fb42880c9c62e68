// The worker's side: answers the page's requests with the grader's handlers.
//
//   // src/exercises/worker.ts
//   serveSandbox({ grade: (req, ctx) => …, train: (req, ctx) => { ctx.progress(m); … } });
//
// In Node (the teacher's command, tests) the same handlers run in-process:
//   await runInProcess(handlers, 'grade', { id, source, seed });

import { StudentFailure, isStudentError, plain } from './errors';
import type { SandboxContext, SandboxHandlers, SandboxReply, SandboxRequest } from './protocol';

/** a reply without its id: Omit over each member of the union */
type Outcome = SandboxReply extends infer R ? (R extends SandboxReply ? Omit<R, 'id'> : never) : never;

/** a worker's global scope, or anything with the same two methods */
export interface SandboxScope {
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(msg: unknown): void;
}

/** what a handler's outcome becomes on the wire */
async function dispatch(handlers: SandboxHandlers, kind: string, request: unknown, ctx: SandboxContext): Promise<Outcome> {
  const handler = Object.prototype.hasOwnProperty.call(handlers, kind) ? handlers[kind] : undefined;
  if (!handler) return { type: 'failed', message: `sandbox: no handler for requests of kind '${kind}' (known: ${Object.keys(handlers).join(', ')})` };
  try {
    return { type: 'result', result: await handler(request, ctx) };
  } catch (e) {
    if (isStudentError(e)) return { type: 'error', error: plain(e) };
    return { type: 'failed', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/** installs the message handler in a worker (`scope` defaults to the worker's global scope) */
export function serveSandbox(handlers: SandboxHandlers, scope: SandboxScope = self as unknown as SandboxScope): void {
  scope.addEventListener('message', (e) => {
    const msg = e.data as Partial<SandboxRequest> | null;
    if (!msg || typeof msg.id !== 'number' || typeof msg.kind !== 'string') return;
    const id = msg.id;
    const ctx: SandboxContext = { progress: (data) => scope.postMessage({ id, type: 'progress', data } satisfies SandboxReply) };
    void dispatch(handlers, msg.kind, msg.request, ctx).then((reply) => {
      try {
        scope.postMessage({ id, ...reply } as SandboxReply);
      } catch (err) {
        // a result that cannot be cloned (a function, say): say so rather than go silent
        scope.postMessage({ id, type: 'failed', message: `sandbox: the reply could not be sent (${(err as Error).message})` } satisfies SandboxReply);
      }
    });
  });
}

/**
 * Runs a handler in this thread, as the worker would: resolves with its result, rejects
 * with a StudentFailure when the student's code failed, or an Error when the handler did.
 * No watchdog: an endless loop in the student's code blocks the caller.
 */
export async function runInProcess(handlers: SandboxHandlers, kind: string, request: unknown, opts: { onProgress?: (data: unknown) => void } = {}): Promise<unknown> {
  const reply = await dispatch(handlers, kind, request, { progress: (d) => opts.onProgress?.(d) });
  if (reply.type === 'result') return reply.result;
  if (reply.type === 'error') throw new StudentFailure(reply.error);
  if (reply.type === 'failed') throw new Error(reply.message);
  throw new Error(`sandbox: a progress message where a reply was due`);
}
