// Summary statistics for timings (the Performance page, the layers lab, the benchmarks).

/** the middle value of xs (the mean of the two middle ones for an even count); NaN when empty */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}
