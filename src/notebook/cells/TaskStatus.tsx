// What a cell shows while its computation is pending or when it failed.

import type { ReactNode } from 'react';
import { Progress } from '../../ui/controls';

export function TaskStatus({
  failed,
  error,
  running,
  hasResult,
  what,
  children,
}: {
  failed: string | null;
  error: string | null;
  running: boolean;
  hasResult: boolean;
  /** e.g. "Tracing one training step" */
  what: string;
  children?: ReactNode;
}) {
  if (failed) {
    return (
      <p className="notice error" role="alert">
        No backend to run on: {failed}
      </p>
    );
  }
  if (error) {
    return (
      <p className="notice error" role="alert">
        {what} failed: {error}
      </p>
    );
  }
  if (!hasResult) return <Progress label={`${what}…`} />;
  return (
    <>
      {running ? <p className="muted small lab-running" role="status">{what}…</p> : null}
      {children}
    </>
  );
}
