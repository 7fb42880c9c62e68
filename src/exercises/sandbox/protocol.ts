// The messages between the page's SandboxClient and the worker's serveSandbox.
//
//   page → worker   { id, kind, request }
//   worker → page   { id, type: 'progress', data }            (any number, then one of:)
//                   { id, type: 'result', result }
//                   { id, type: 'error', error: StudentError }  (the student's code failed)
//                   { id, type: 'failed', message }             (the handler itself failed)

import type { StudentError } from './errors';

export interface SandboxRequest {
  id: number;
  kind: string;
  request: unknown;
}

export type SandboxReply =
  | { id: number; type: 'progress'; data: unknown }
  | { id: number; type: 'result'; result: unknown }
  | { id: number; type: 'error'; error: StudentError }
  | { id: number; type: 'failed'; message: string };

export interface SandboxContext {
  /** streams a partial result to the caller's onProgress (and feeds an idle watchdog) */
  progress(data: unknown): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SandboxHandler = (request: any, ctx: SandboxContext) => Promise<unknown> | unknown;
export type SandboxHandlers = Record<string, SandboxHandler>;
