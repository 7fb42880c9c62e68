// Factories by name: every name a student can type (activation, layer, loss, optimizer,
// scheduler, initializer, pooling mode) is checked against the list of valid ones, and an
// unknown name is refused with that list — `Unknown activation 'relu6'. Valid: linear, …`.

export function checkName<T extends string>(what: string, name: unknown, valid: readonly T[]): T {
  if (typeof name === 'string' && (valid as readonly string[]).includes(name)) return name as T;
  const shown = typeof name === 'string' ? `'${name}'` : JSON.stringify(name) ?? String(name);
  throw new Error(`Unknown ${what} ${shown}. Valid: ${valid.join(', ')}`);
}

/** a positive integer option, or a clear error naming where it came from */
export function checkPositiveInt(where: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`${where}: ${what} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** a finite number option, or a clear error */
export function checkNumber(where: string, what: string, v: unknown, lo = -Infinity, hi = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    const range = lo === -Infinity && hi === Infinity ? 'a finite number' : `a number in [${lo}, ${hi}]`;
    throw new Error(`${where}: ${what} must be ${range}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** refuse misspelled options ({ nout: 10 } instead of { nOut: 10 }) */
export function checkKeys(where: string, obj: object, allowed: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new Error(`${where}: unknown option '${k}'. Valid: ${allowed.join(', ')}`);
  }
}
