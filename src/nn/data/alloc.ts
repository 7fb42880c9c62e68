// Every array the parsers allocate for their output (inflated bytes, float32 features,
// labels) is made here, after its size was checked against the limits, and the bytes
// asked for are counted. A test reads the count to show that no input, however it lies
// about its sizes, makes a parser allocate more than a small multiple of what it holds.

let requested = 0;

/** bytes of output arrays asked for since the last resetAllocationCount() */
export function allocationCount(): number {
  return requested;
}

export function resetAllocationCount(): void {
  requested = 0;
}

export function allocU8(n: number): Uint8Array {
  requested += n;
  return new Uint8Array(n);
}

export function allocF32(n: number): Float32Array {
  requested += 4 * n;
  return new Float32Array(n);
}

export function allocI32(n: number): Int32Array {
  requested += 4 * n;
  return new Int32Array(n);
}
