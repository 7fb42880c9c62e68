// Training sessions: the loop that trains a model on a dataset and streams its metrics.
//
// In the browser, through the Web Worker:
//   const client = new TrainingClient(createTrainingWorker());
//   await client.init(config);  client.onMetrics((batches) => …);  await client.start();
//
// In Node (or tests), in-process:
//   const session = await TrainingSession.create(backend, config, (batch) => …);
//   await session.runToEnd();
//
// dataset → BatchOrder (data.ts) → model (nn) → loss → backward → optimizer, one
// submission per step; loss reads every lossEvery steps without stalling (session.ts);
// MetricsBatch to the sink (metrics.ts); the same over postMessage (protocol.ts,
// handler.ts, worker.ts, client.ts); what the page reads of the model (inspect.ts); sweeps
// (sweep.ts); step-through traces (trace.ts); one device queue (device-queue.ts).

export { TrainingClient, createTrainingWorker, type PortLike } from './client';
export { loadSessionData, prepareSplits, describeData, type SessionData } from './data';
export { EXPERIMENTS, EXPERIMENT_NAMES, type Experiment, type ExperimentName } from './experiments';
export { createMessageHandler, type HandlerEnv, type MessageHandler } from './handler';
export { DeviceQueue, pageQueue } from './device-queue';
export { predictTest, snapshotModel, testSetOf, type ModelSnapshot, type SnapshotTensor, type TestPredictions, type TestSet } from './inspect';
export { MetricsBuffer, collectingSink, type MetricsSink } from './metrics';
export type * from './protocol';
export { TrainingSession, hiddenLayerIndices, hiddenSizeOf, withHiddenSize, type EvalResult, type SessionOptions } from './session';
export { runSweep, rankRows, sweepGrid, type SweepCallbacks, type SweepCell } from './sweep';
export { EQUATIONS, Tracer, type Trace, type TraceKernel, type TraceOp, type TracePhase, type TraceTensor } from './trace';
