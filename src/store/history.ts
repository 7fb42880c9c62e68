// Bounded metric histories: a live series keeps at most `max` points. When it would grow
// past the bound, the whole series is thinned to the first point in each cell of a grid
// on x (cells 2^k wide, the smallest k that leaves at most max / 2 cells; the last point
// kept too). The grid's cells double from one thinning to the next, so a point kept once
// stays on the grid: the series spans the whole run at one resolution, old points are
// not thinned again and again while new ones arrive at full resolution.

export function appendBounded<T>(history: readonly T[], items: readonly T[], max: number, x: (t: T) => number): T[] {
  if (max < 4) throw new Error(`a bounded history needs room for at least 4 points, got max = ${max}`);
  const out = history.concat(items);
  if (out.length <= max) return out;
  const span = x(out[out.length - 1]!) - x(out[0]!);
  if (!(span > 0)) return out.slice(out.length - max);
  const cell = 2 ** Math.ceil(Math.log2(span / Math.floor(max / 2)));
  const kept: T[] = [];
  let lastCell = -1;
  for (const p of out) {
    const c = Math.floor(x(p) / cell);
    if (c !== lastCell) kept.push(p);
    lastCell = c;
  }
  if (kept[kept.length - 1] !== out[out.length - 1]) kept.push(out[out.length - 1]!);
  return kept;
}
