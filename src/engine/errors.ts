// Errors the engine raises. Each carries a message a student can act on.

/** An operation was given tensors whose shapes do not fit; names the op and the shapes. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** A tensor or dispatch exceeds what the device allows; names the limit and its value. */
export class DeviceLimitError extends Error {
  override name = 'DeviceLimitError';
}

/** The GPU device was lost (driver reset, tab in background too long, out of memory). */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

/** No WebGPU adapter could be obtained. */
export class NoAdapterError extends Error {
  override name = 'NoAdapterError';
}
