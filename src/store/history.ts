// Bounded metric histories: a live series keeps at most `max` points. When it would
// grow past the bound, the older points are thinned to every second one, so the
// series always spans the whole run, at a resolution that halves as the run doubles.

export function appendBounded<T>(history: readonly T[], items: readonly T[], max: number): T[] {
  if (max < 2) throw new Error(`a bounded history needs room for at least 2 points, got max = ${max}`);
  let out = history.concat(items);
  while (out.length > max) {
    const last = out[out.length - 1]!;
    out = out.filter((_, i) => i % 2 === 0);
    if (out[out.length - 1] !== last) out.push(last);
  }
  return out;
}
