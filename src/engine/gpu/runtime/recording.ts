// One command encoder per step: dispatches go into one compute pass, copies and clears
// end the pass; flush() submits it all as one command buffer.

export class Recorder {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pending = 0;
  private afterSubmit: GPUBuffer[] = [];
  private stepIndex = 0;

  constructor(
    private device: GPUDevice,
    private label: string,
  ) {}

  private commandEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: `${this.label}:step ${this.stepIndex}` });
    return this.encoder;
  }

  /** the step's compute pass (begun on first use) */
  computePass(): GPUComputePassEncoder {
    this.pass ??= this.commandEncoder().beginComputePass({ label: `${this.label}:step ${this.stepIndex} compute` });
    return this.pass;
  }

  /** the step's encoder, with the compute pass ended (for copies and clears) */
  copyEncoder(): GPUCommandEncoder {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    return this.commandEncoder();
  }

  /** counts one recorded command (a dispatch, copy or clear) */
  recorded(): void {
    this.pending++;
  }

  /** true when work is recorded and not yet submitted */
  get hasPendingWork(): boolean {
    return this.pending > 0;
  }

  /** destroys `buffer` (a staging copy) once the step that reads it is submitted */
  destroyAfterSubmit(buffer: GPUBuffer): void {
    this.afterSubmit.push(buffer);
  }

  /** Submits `encoder` (this step's, from copyEncoder) as one command buffer. */
  submit(encoder: GPUCommandEncoder): void {
    this.device.queue.submit([encoder.finish()]);
    this.encoder = null;
    this.pending = 0;
    this.stepIndex++;
    for (const b of this.afterSubmit) b.destroy();
    this.afterSubmit = [];
  }

  /** drops what is recorded (teardown) */
  discard(): void {
    if (this.pass) this.pass.end();
    this.pass = null;
    this.encoder = null;
  }
}
