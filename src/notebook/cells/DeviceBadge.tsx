// The header's device badge and the notice under the header when the notebook does not
// run on a hardware GPU.

import { softwareAdapterName, useDevice } from '../../store/device';
import { useNavigation } from '../../store/navigation';

export function DeviceBadge() {
  const status = useDevice((s) => s.status);
  const kind = useDevice((s) => s.kind);
  const name = useDevice((s) => s.deviceName);
  const isFallback = useDevice((s) => s.isFallback);
  const checkStatus = useDevice((s) => s.checkStatus);
  const lost = useDevice((s) => s.lost);
  const openChapter = useNavigation((s) => s.openChapter);

  let text: string;
  let tone: 'pending' | 'ok' | 'warn' | 'error';
  if (status === 'idle' || status === 'requesting') {
    text = lost ? 'GPU device lost — requesting a new one…' : 'Requesting a WebGPU device…';
    tone = lost ? 'warn' : 'pending';
  } else if (status === 'failed') {
    text = 'No compute device';
    tone = 'error';
  } else if (kind === 'webgpu') {
    text = `WebGPU · ${name}`;
    tone = isFallback ? 'warn' : 'ok';
  } else {
    text = 'CPU reference (float64)';
    tone = 'warn';
  }
  const checkText =
    checkStatus === 'passed'
      ? 'kernel check passed'
      : checkStatus === 'failed'
        ? 'kernel check FAILED'
        : checkStatus === 'running'
          ? 'checking a kernel…'
          : checkStatus === 'error'
            ? 'kernel check could not run'
            : null;
  return (
    <a className={`device-badge ${tone}`} href="?ch=start#device" aria-label={`Compute device: ${text}${checkText ? `, ${checkText}` : ''}. Details in the preface.`} data-testid="device-badge"
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        openChapter('start');
        // after the chapter has rendered (and scrolled to its top), bring the device cell into view
        setTimeout(() => {
          const cell = document.getElementById('device');
          cell?.scrollIntoView({ block: 'start' });
        }, 50);
      }}
    >
      <span className="badge-dot" aria-hidden="true" />
      <span className="badge-text">{text}</span>
      {checkText ? <span className={`badge-check ${checkStatus}`}>{checkStatus === 'passed' ? '✓' : checkStatus === 'failed' || checkStatus === 'error' ? '✗' : '…'}</span> : null}
    </a>
  );
}

/** "Running on the CPU reference backend — …" / "WebGPU adapter is a CPU fallback (SwiftShader): …" */
export function deviceNotice(s: { status: string; kind: string | null; deviceName: string | null; isFallback: boolean; fallbackReason: string | null; error: string | null }): string | null {
  if (s.status === 'failed') return `No compute device could be created — ${s.error ?? 'unknown error'}`;
  if (s.status !== 'ready') return null;
  if (s.kind === 'cpu') {
    const reason = (s.fallbackReason ?? 'the CPU backend was requested').replace(/;\s*running on the CPU reference\s*$/i, '');
    return `Running on the CPU reference backend — ${reason}. Every chapter works, more slowly.`;
  }
  if (s.isFallback) {
    return `WebGPU adapter is a CPU fallback (${softwareAdapterName(s.deviceName) ?? 'software rasterizer'}): kernels run, slowly. Timings on this page say little about a real GPU.`;
  }
  return null;
}

/** what the page says after the GPU device was lost */
export function deviceLostNotice(lost: { reason: string; count: number }, status: string): string {
  const what = `${lost.reason.replace(/[.\s]+$/, '')}${lost.count > 1 ? ` (the device was lost ${lost.count} times)` : ''}.`;
  if (status === 'failed') return `${what} No new device could be created; reload the page to try again.`;
  if (status !== 'ready') return `${what} Requesting a new device…`;
  return `${what} The notebook requested a new device and runs on it; a training session continues from the parameters it last read back — press Train to go on.`;
}

export function DeviceNotice() {
  const status = useDevice((s) => s.status);
  const kind = useDevice((s) => s.kind);
  const deviceName = useDevice((s) => s.deviceName);
  const isFallback = useDevice((s) => s.isFallback);
  const fallbackReason = useDevice((s) => s.fallbackReason);
  const error = useDevice((s) => s.error);
  const lost = useDevice((s) => s.lost);
  const text = deviceNotice({ status, kind, deviceName, isFallback, fallbackReason, error });
  const lostText = lost ? deviceLostNotice(lost, status) : null;
  if (lostText) {
    return (
      <div className="device-notice warn" role="status" data-testid="device-lost">
        <span aria-hidden="true" className="notice-icon">
          !
        </span>
        <p>{lostText}</p>
      </div>
    );
  }
  if (!text) return null;
  return (
    <div className={`device-notice ${status === 'failed' ? 'error' : 'warn'}`} role="status">
      <span aria-hidden="true" className="notice-icon">
        !
      </span>
      <p>{text}</p>
    </div>
  );
}
