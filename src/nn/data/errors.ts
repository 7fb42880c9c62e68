// The one error the data code raises for bad input: a file that is not what it claims
// to be, a cell that is not a number, a dataset larger than the allowed size. The
// message names the file (or dataset), the place (row, column, index) and what was
// expected, so a student can find and fix the problem.

export class DataFormatError extends Error {
  override name = 'DataFormatError';
}

/** 0x00000803 */
export function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** 47040000 → "47.0 MB" (decimal units, as file managers show them) */
export function humanBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
