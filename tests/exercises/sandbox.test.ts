// The sandbox: a student's text in, their functions out; errors at the student's own line;
// memory refused; the worker's names out of reach; and a watchdog that stops an endless
// loop in a real worker (Node's worker_threads running the real serveSandbox) and runs the
// next request on a fresh one.

import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { np } from '../../src/exercises/np';
import {
  SandboxClient,
  StudentFailure,
  loadStudentModule,
  mapStudentError,
  runInProcess,
  type StudentError,
  type WorkerLike,
} from '../../src/exercises/sandbox';
import { NodeSandboxWorker } from '../../src/exercises/sandbox/node';

const src = (...lines: string[]) => lines.join('\n');

/** loads, expecting success */
function load(source: string, names: string[]) {
  const m = loadStudentModule(source, names);
  if (m.error) throw new Error(`unexpected ${m.error.kind}: ${m.error.message}`);
  return m.exports;
}
/** loads, expecting an error */
function loadError(source: string, names: string[]): StudentError {
  const m = loadStudentModule(source, names);
  if (!m.error) throw new Error('expected an error');
  return m.error;
}
/** calls exports[name], expecting it to throw; the error as the grader maps it */
function callError(source: string, name: string, ...args: unknown[]): StudentError {
  const f = load(source, [name])[name];
  try {
    f(...args);
  } catch (e) {
    return mapStudentError(e, source);
  }
  throw new Error('expected a throw');
}

describe('loadStudentModule', () => {
  it('returns the named functions and classes; np, Math and console are in scope', () => {
    const ex = load(
      src(
        'function relu(Z) {',
        '  return np.maximum(Z, 0);',
        '}',
        'class Dense {',
        '  constructor(n) { this.n = n; }',
        '  forward(X) { return X.multiply(this.n); }',
        '}',
        'const half = (x) => np.multiply(x, Math.abs(-0.5));',
      ),
      ['relu', 'Dense', 'half'],
    );
    expect(ex.relu(np.array([-1, 2])).tolist()).toEqual([0, 2]);
    expect(new ex.Dense(3).forward(np.array([1])).tolist()).toEqual([3]);
    expect(ex.half([4]).tolist()).toEqual([2]);
  });

  it('strips TypeScript (annotations, interfaces, generics, casts) and keeps lines', () => {
    const source = src(
      'interface Layer {',
      '  forward(X: NDArray): NDArray;',
      '}',
      'type Shape = number[];',
      'function scale<T>(X: any, k: number = 2): any {',
      '  const s: Shape = X.shape as Shape;',
      '  return np.multiply(X, k);',
      '}',
      'export function bad(X: any): any {',
      '  return np.matmul(X, X);',
      '}',
    );
    const ex = load(source, ['scale', 'bad']);
    expect(ex.scale(np.array([1, 2])).tolist()).toEqual([2, 4]);
    const e = callError(source, 'bad', np.ones([2, 3]));
    expect(e).toMatchObject({ kind: 'runtime', message: 'ShapeError: matmul: shapes (2,3) and (2,3) do not align: 3 ≠ 2', line: 10 });
    expect(e.column).toBe('  return np.'.length + 1);
  });

  it('a syntax error reports its line and column in the student\'s text', () => {
    const e = loadError(
      src(
        '// relu',
        'function relu(Z: any) {',
        '  return np.maximum(Z, 0);',
        '}',
        '',
        'function relu_backward(dA, Z) {',
        '  return np.multiply(dA, np.greater(Z 0));',
        '}',
      ),
      ['relu', 'relu_backward'],
    );
    expect(e.kind).toBe('syntax');
    expect(e.line).toBe(7);
    expect(e.column).toBe('  return np.multiply(dA, np.greater(Z '.length + 1);
    expect(e.message).toMatch(/^SyntaxError: Unexpected token/);
    expect(loadError('function f() {\n  return 1;\n', ['f'])).toMatchObject({ kind: 'syntax', line: 3 });
  });

  it("the engine's early errors (a repeated declaration) are syntax errors at their line", () => {
    const e = loadError(src('function f(x) {', '  return x;', '}', 'let a = 1;', 'let a = 2;'), ['f']);
    expect(e).toMatchObject({ kind: 'syntax', line: 5 });
    expect(e.message).toMatch(/SyntaxError: .*'a' has already been declared/);
  });

  it('import is refused at its line; export is accepted', () => {
    expect(loadError(src('// my code', "import numpy from 'numpy';", 'function f() {}'), ['f'])).toMatchObject({ kind: 'syntax', line: 2 });
    const ex = load(src('export function f() { return 1; }', 'export default class G {}', 'export const h = () => 2;'), ['f', 'G', 'h']);
    expect(ex.f()).toBe(1);
    expect(ex.h()).toBe(2);
  });

  it('runtime errors at the top level and inside a called function map to the student\'s line', () => {
    const top = loadError(src('const W = np.ones([2, 3]);', 'const V = np.add(W, np.ones([2]));', 'function f() {}'), ['f']);
    expect(top).toMatchObject({ kind: 'runtime', line: 2 });
    expect(top.message).toBe('ShapeError: add: operands could not be broadcast together with shapes (2,3) and (2,)');
    const own = callError(src('function f(x) {', '  const y = x;', "  throw new Error('my own');", '}'), 'f', 1);
    expect(own).toEqual({ kind: 'runtime', message: 'Error: my own', line: 3, column: 9 });
    const undef = callError(src('function f(cache) {', '  const Z = cache.Z;', '', '  return Z.shape;', '}'), 'f', {});
    expect(undef).toMatchObject({ kind: 'runtime', line: 4 });
    expect(undef.message).toMatch(/^TypeError: .*shape/);
    // a helper of the student's, called from their function: the innermost student frame
    const helper = callError(src('function g(a) {', '  return a.reshape(5);', '}', 'function f(a) {', '  return g(a);', '}'), 'f', np.ones([6]));
    expect(helper).toMatchObject({ kind: 'runtime', line: 2 });
    expect(mapStudentError('a string', 'x')).toEqual({ kind: 'runtime', message: 'your code threw a string' });
  });

  it("reads Chromium's and Firefox's stack formats (a frame of student.js, after the Function constructor's 2 lines)", () => {
    const source = src('function f(x) {', '  const y = 1;', '  return x.foo.bar;', '}');
    const stacks = [
      // Chromium, in a worker (as printed by /usr/bin/chromium for this code)
      "TypeError: Cannot read properties of undefined (reading 'bar')\n    at Object.f (student.js:5:16)\n    at blob:null/f910e967:5:15",
      // Firefox
      'f@student.js:5:16\n@http://localhost:5173/src/exercises/worker.ts:12:3',
    ];
    for (const stack of stacks) {
      const e = new TypeError("Cannot read properties of undefined (reading 'bar')");
      e.stack = stack;
      expect(mapStudentError(e, source)).toEqual({ kind: 'runtime', message: "TypeError: Cannot read properties of undefined (reading 'bar')", line: 3, column: 16 });
    }
    const noFrame = new Error('x');
    noFrame.stack = 'Error: x\n    at somewhere (worker.js:1:1)';
    expect(mapStudentError(noFrame, source)).toEqual({ kind: 'runtime', message: 'Error: x' });
  });

  it('a name the code does not define is missing, by name', () => {
    const e = loadError(src('function relu(Z) {', '  return Z;', '}'), ['relu', 'relu_backward']);
    expect(e.kind).toBe('missing');
    expect(e.message).toMatch(/^relu_backward is not defined/);
    expect(loadError('const relu = 3;', ['relu'])).toMatchObject({ kind: 'missing', message: 'relu is defined but is not a function or class (it is number)' });
    expect(loadError('return 1;', ['relu'])).toMatchObject({ kind: 'syntax' });
  });

  it('huge allocations are refused as memory errors with a message', () => {
    const big = callError(src('function f() {', '  return np.zeros([100000, 100000]);', '}'), 'f');
    expect(big).toMatchObject({ kind: 'memory', line: 2 });
    expect(big.message).toMatch(/^zeros: an array of shape \(100000,100000\) would hold 10,000,000,000 elements/);
    const arr = callError(src('function f() {', '  return new Array(-1);', '}'), 'f');
    expect(arr).toMatchObject({ kind: 'memory', line: 2 });
    expect(arr.message).toMatch(/more memory than the page can give \(RangeError: Invalid array length\)/);
    const typed = callError(src('function f() {', '  return new Float64Array(2 ** 50);', '}'), 'f');
    expect(typed).toMatchObject({ kind: 'memory', line: 2 });
    const rec = callError(src('function f(n) {', '  return f(n + 1);', '}'), 'f', 0);
    expect(rec).toMatchObject({ kind: 'runtime', line: 2 });
    expect(rec.message).toMatch(/Maximum call stack size exceeded — a function that calls itself without end\?/);
  });

  it("the worker's names are out of reach by name; the student may reuse them", () => {
    const ex = load(
      src(
        'function probe() {',
        '  return [typeof postMessage, typeof self, typeof fetch, typeof importScripts, typeof globalThis, typeof setTimeout, typeof process].join();',
        '}',
        'const close = 1;',
        'function fetchAll() { return close; }',
      ),
      ['probe', 'fetchAll'],
    );
    expect(ex.probe()).toBe(Array(7).fill('undefined').join());
    expect(ex.fetchAll()).toBe(1);
  });

  it("the student's console can be redirected", () => {
    const logged: unknown[][] = [];
    const m = loadStudentModule("console.log('hi', 2);\nfunction f() {}", ['f'], { console: { ...console, log: (...a: unknown[]) => logged.push(a) } });
    expect(m.error).toBeUndefined();
    expect(logged).toEqual([['hi', 2]]);
  });
});

describe('runInProcess', () => {
  const handlers = {
    double: (req: { x: number }, ctx: { progress(d: unknown): void }) => {
      ctx.progress('half way');
      return req.x * 2;
    },
    student: () => {
      throw new StudentFailure({ kind: 'runtime', message: 'Error: x', line: 3 });
    },
    broken: () => {
      throw new Error('the handler broke');
    },
  };
  it('resolves with the result and streams progress', async () => {
    const seen: unknown[] = [];
    await expect(runInProcess(handlers, 'double', { x: 4 }, { onProgress: (d) => seen.push(d) })).resolves.toBe(8);
    expect(seen).toEqual(['half way']);
  });
  it("rejects with a StudentFailure for the student's error, an Error for the handler's, and names unknown kinds", async () => {
    const e = (await runInProcess(handlers, 'student', {}).catch((x: unknown) => x)) as StudentFailure;
    expect(e).toBeInstanceOf(StudentFailure);
    expect(e.toJSON()).toEqual({ kind: 'runtime', message: 'Error: x', line: 3 });
    await expect(runInProcess(handlers, 'broken', {})).rejects.toThrow('Error: the handler broke');
    await expect(runInProcess(handlers, 'nope', {})).rejects.toThrow("sandbox: no handler for requests of kind 'nope' (known: double, student, broken)");
  });
});

// ---- the client and the watchdog, with a real worker ----

const WORKER = fileURLToPath(new URL('./fixtures/sandbox-worker.ts', import.meta.url));
const NodeWorker = class extends NodeSandboxWorker {
  constructor() {
    super(WORKER);
  }
};

type Listener = (e: MessageEvent & Partial<ErrorEvent>) => void;

// a browser Worker is a WorkerLike
const workerIsWorkerLike: Worker extends WorkerLike ? true : false = true;
void workerIsWorkerLike;

const clients: SandboxClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.dispose();
});

describe('SandboxClient with a real worker', () => {
  const ok = { source: 'function relu(Z: any) {\n  return np.maximum(Z, 0);\n}', name: 'relu', args: [[-1, 3]] };

  it('an endless loop is stopped with the message, and the next run succeeds on a fresh worker', async () => {
    const workers: NodeSandboxWorker[] = [];
    const client = new SandboxClient(() => {
      const w = new NodeWorker();
      workers.push(w);
      return w;
    });
    clients.push(client);
    const progress: unknown[] = [];
    await expect(client.run('call', ok, { timeoutMs: 60_000, onProgress: (p) => progress.push(p) })).resolves.toEqual([0, 3]);
    expect(progress).toEqual(['loaded']);
    expect(client.workersStarted).toBe(1);

    const loop = { source: 'function relu(Z) {\n  while (true) {}\n}', name: 'relu', args: [[1]] };
    const err = (await client.run('call', loop, { timeoutMs: 1000 }).catch((e: unknown) => e)) as StudentFailure;
    expect(err).toBeInstanceOf(StudentFailure);
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe('your code did not finish in 1 s — an endless loop?');
    expect(workers[0].terminated).toBe(true);
    expect(client.workersStarted).toBe(2);

    await expect(client.run('call', ok, { timeoutMs: 60_000 })).resolves.toEqual([0, 3]);
    expect(client.workersStarted).toBe(2);
    expect(workers[1].terminated).toBe(false);
  });

  it("the student's errors come back as StudentFailures with their line; a dead worker is replaced", async () => {
    const client = new SandboxClient(() => new NodeWorker());
    clients.push(client);
    const bad = { source: 'function relu(Z) {\n\n  return np.matmul(Z, Z);\n}', name: 'relu', args: [[1, 2]] };
    const err = (await client.run('call', { ...bad, args: [[[1, 2]]] }, { timeoutMs: 60_000 }).catch((e: unknown) => e)) as StudentFailure;
    expect(err).toBeInstanceOf(StudentFailure);
    expect(err.toJSON()).toMatchObject({ kind: 'runtime', line: 3, message: 'ShapeError: matmul: shapes (1,2) and (1,2) do not align: 2 ≠ 1' });
    const dead = (await client.run('crash', {}, { timeoutMs: 60_000 }).catch((e: unknown) => e)) as Error;
    expect(dead.message).toBe('the exercise worker stopped: kaboom');
    await expect(client.run('call', ok, { timeoutMs: 60_000 })).resolves.toEqual([0, 3]);
    expect(client.workersStarted).toBe(2);
  });

  it('the default limit is 5 s and its message says so', async () => {
    const { timeoutMessage } = await import('../../src/exercises/sandbox');
    expect(timeoutMessage(5000)).toBe('your code did not finish in 5 s — an endless loop?');
  });
});

describe('SandboxClient with a stand-in worker', () => {
  /** answers each request with one progress message, then (unless `silentAfterProgress`) the request echoed */
  class StandIn implements WorkerLike {
    private ls = new Map<string, Set<Listener>>();
    silentAfterProgress = false;
    terminated = 0;
    order: number[] = [];
    postMessage(m: unknown): void {
      const { id, request } = m as { id: number; request: unknown };
      this.order.push(id);
      setTimeout(() => {
        this.emit({ id, type: 'progress', data: 'tick' });
        if (!this.silentAfterProgress) setTimeout(() => this.emit({ id, type: 'result', result: request }));
      });
    }
    emit(data: unknown): void {
      if (this.terminated) return;
      for (const l of this.ls.get('message') ?? []) l({ data } as MessageEvent);
    }
    addEventListener(t: string, l: Listener): void {
      if (!this.ls.has(t)) this.ls.set(t, new Set());
      this.ls.get(t)!.add(l);
    }
    removeEventListener(t: string, l: Listener): void {
      this.ls.get(t)?.delete(l);
    }
    terminate(): void {
      this.terminated++;
    }
  }

  it('runs one at a time, in order', async () => {
    const w = new StandIn();
    const client = new SandboxClient(() => w);
    clients.push(client);
    const results = await Promise.all([client.run('a', 1), client.run('b', 2), client.run('c', 3)]);
    expect(results).toEqual([1, 2, 3]);
    expect(w.order).toEqual([1, 2, 3]);
  });

  it('an unlimited run with an idle limit is stopped when progress stops; stop() ends a run', async () => {
    const made: StandIn[] = [];
    const client = new SandboxClient(() => {
      const w = new StandIn();
      w.silentAfterProgress = made.length === 0;
      made.push(w);
      return w;
    });
    clients.push(client);
    const ticks: unknown[] = [];
    const err = await client.run('train', {}, { timeoutMs: 0, idleMs: 50, onProgress: (t) => ticks.push(t) }).catch((e: StudentFailure) => e);
    expect(ticks).toEqual(['tick']);
    expect(err).toMatchObject({ kind: 'timeout', message: 'your code sent no progress for 0.1 s — an endless loop?' });
    expect(made[0].terminated).toBe(1);
    made[1].silentAfterProgress = true;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const pending = client.run('train', {}, { timeoutMs: 0, onProgress: () => started() });
    await running;
    client.stop();
    await expect(pending).rejects.toThrow('sandbox: stopped');
    expect(made[1].terminated).toBe(1);
    expect(made).toHaveLength(3);
  });
});
