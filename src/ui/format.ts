// Number formats shared by the chapters' readouts.

/** a duration in seconds for a reader: "420 ms", "3.4 s", "42 s", "6 min 12 s", "1 h 05 min"; "—" when unknown */
export function fmtDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '—';
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 59.5) return `${sec.toFixed(sec < 10 ? 1 : 0)} s`;
  const s = Math.round(sec);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
