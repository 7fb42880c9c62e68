// Running a student's code: load it (TypeScript stripped, np in scope), map its errors to
// its own lines, and run requests in a worker with a watchdog (or in-process in Node).

export { loadStudentModule } from './load';
export type { LoadOptions, StudentExport } from './load';
export { StudentFailure, isStudentError, mapStudentError } from './errors';
export type { StudentError, StudentErrorKind } from './errors';
export { serveSandbox, runInProcess } from './host';
export type { SandboxScope } from './host';
export { SandboxClient, timeoutMessage } from './client';
export type { RunOptions, WorkerLike } from './client';
export type { SandboxContext, SandboxHandler, SandboxHandlers, SandboxReply, SandboxRequest } from './protocol';
