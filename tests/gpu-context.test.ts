// The GPU plumbing under the backend: uniforms per dispatch in one submission, the
// buffer pool and reference-counted aliases, writes ordered with recorded work, the
// pipeline cache, the dispatch helper's checks and its 2-D split, the WGSL dump flag, and
// views (windows into one buffer at aligned offsets: the model's arenas).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGpuContext, GpuContext } from '../src/engine/gpu/context';
import { nodeGPU } from '../src/engine/gpu/node';
import { makeShaderDataDefinitions } from 'webgpu-utils';
import { composeShader, declaredLibs, entryLines, SHADERS, shaderSource, usesGroupSum } from '../src/engine/gpu/shaders';

let ctx: GpuContext;
beforeAll(async () => {
  const adapter = await (await nodeGPU()).requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  ctx = await createGpuContext(adapter, { label: 'ctx-test' });
});
afterAll(() => ctx?.destroy());

const axpby = { shader: 'elementwise', entry: 'axpby' } as const;

describe('GpuContext', () => {
  it('gives each recorded dispatch its own uniforms, then submits them all at once', async () => {
    const x = ctx.fromArray([1, 2, 3, 4, 5], [5]);
    const y = ctx.fromArray([10, 20, 30, 40, 50], [5]);
    const s0 = { ...ctx.stats };
    // 300 dispatches: more than one 64 KiB arena chunk of 256-byte slots
    const outs = Array.from({ length: 300 }, (_, k) => {
      const o = ctx.empty([5], 'f32', `o${k}`);
      ctx.dispatch(axpby, { bind: { x, y, out: o }, params: { count: 5, alpha: k, beta: -1 }, invocations: 5 });
      return o;
    });
    expect(ctx.stats.submissions).toBe(s0.submissions);
    ctx.flush();
    expect(ctx.stats.submissions - s0.submissions).toBe(1);
    expect(ctx.stats.dispatches - s0.dispatches).toBe(300);
    for (const k of [0, 1, 255, 256, 299]) {
      const got = await ctx.read(outs[k]!);
      expect(Array.from(got), `dispatch ${k}`).toEqual([1, 2, 3, 4, 5].map((v, i) => k * v - 10 * (i + 1)));
    }
    for (const o of outs) ctx.dispose(o);
  });

  it('reuses pooled buffers, and a reshaped alias keeps the storage alive', async () => {
    const a = ctx.fromArray([1, 2, 3, 4, 5, 6], [2, 3], 'f32', 'a');
    const view = ctx.alias(a, [3, 2], 'view');
    ctx.dispose(a);
    expect(a.disposed).toBe(true);
    // the storage is still referenced by the view: a new tensor must not get it
    const b = ctx.fromArray([9, 9, 9, 9, 9, 9], [6], 'f32', 'b');
    expect(b.buffer).not.toBe(view.buffer);
    expect(Array.from(await ctx.read(view))).toEqual([1, 2, 3, 4, 5, 6]);
    const buf = view.buffer;
    ctx.dispose(view);
    const before = ctx.poolStats().reuses;
    const c = ctx.empty([5], 'f32', 'c'); // same 256-byte bucket: the freed buffer comes back
    expect(ctx.poolStats().reuses).toBe(before + 1);
    expect(c.buffer).toBe(buf);
    expect(() => ctx.alias(c, [6])).toThrow(/reshape.*\(5\).*\(6\)/);
    await expect(ctx.read(view)).rejects.toThrow(/disposed/);
    ctx.dispose(b);
    ctx.dispose(c);
  });

  it('a write after recorded work does not change what that work reads', async () => {
    const x = ctx.fromArray([1, 1, 1], [3]);
    const o1 = ctx.empty([3]);
    ctx.dispatch(axpby, { bind: { x, y: x, out: o1 }, params: { count: 3, alpha: 1, beta: 1 }, invocations: 3 });
    ctx.upload(x, [5, 5, 5]); // recorded after the dispatch: staged into the same step
    const o2 = ctx.empty([3]);
    ctx.dispatch(axpby, { bind: { x, y: x, out: o2 }, params: { count: 3, alpha: 1, beta: 1 }, invocations: 3 });
    expect(Array.from(await ctx.read(o1))).toEqual([2, 2, 2]);
    expect(Array.from(await ctx.read(o2))).toEqual([10, 10, 10]);
  });

  it('views: windows into one buffer at aligned offsets, read, written, cleared and bound with their offset', async () => {
    const align = ctx.viewAlignment; // elements: minStorageBufferOffsetAlignment / 4
    expect(align * 4).toBe(ctx.limits.minStorageBufferOffsetAlignment);
    const arena = ctx.zeros([3 * align + 5], 'f32', 'arena');
    const a = ctx.view(arena, 0, [2, 3], 'a');
    const b = ctx.view(arena, align, [5], 'b');
    const c = ctx.view(arena, 3 * align, [5], 'c');
    ctx.upload(a, [1, 2, 3, 4, 5, 6]);
    ctx.upload(b, [10, 20, 30, 40, 50]);
    expect(Array.from(await ctx.read(b))).toEqual([10, 20, 30, 40, 50]);
    // kernels bind views at their offsets: read b, then write c
    const out = ctx.empty([5]);
    ctx.dispatch(axpby, { bind: { x: b, y: b, out }, params: { count: 5, alpha: 1, beta: 2 }, invocations: 5 });
    expect(Array.from(await ctx.read(out))).toEqual([30, 60, 90, 120, 150]);
    ctx.dispatch(axpby, { bind: { x: out, y: out, out: c }, params: { count: 5, alpha: 1, beta: -1 }, invocations: 5 });
    ctx.copyInto(out, ctx.view(arena, 2 * align, [5], 'd'));
    const all = await ctx.read(arena);
    expect(Array.from(all.slice(0, 6))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(all.slice(6, align))).toEqual(new Array(align - 6).fill(0)); // the gap stays zero
    expect(Array.from(all.slice(2 * align, 2 * align + 5))).toEqual([30, 60, 90, 120, 150]);
    expect(Array.from(all.slice(3 * align))).toEqual([0, 0, 0, 0, 0]);
    ctx.clear(b);
    expect(Array.from(await ctx.read(b))).toEqual([0, 0, 0, 0, 0]);
    // a view keeps the buffer alive; errors name the rule
    expect(() => ctx.view(arena, 1, [2])).toThrow(/minStorageBufferOffsetAlignment/);
    expect(() => ctx.view(arena, 3 * align, [6])).toThrow(/lie outside 'arena'/);
    ctx.dispose(arena);
    expect(Array.from(await ctx.read(a))).toEqual([1, 2, 3, 4, 5, 6]);
    // one buffer bound twice in a dispatch: writable and read-only is refused, as are overlapping writable ranges
    expect(() => ctx.dispatch(axpby, { bind: { x: a, y: out, out: b }, params: { count: 5, alpha: 1, beta: 1 }, invocations: 5 })).toThrow(
      /bound to both 'x' and 'out'.*writes one of them/,
    );
    for (const t of [a, b, c, out]) ctx.dispose(t);
  });

  it('compiles each shader + entry + constants once', () => {
    const x = ctx.fromArray([1, -1], [1, 2]);
    const o = ctx.empty([1, 2]);
    const k = { shader: 'elementwise', entry: 'bias_act', constants: { ACT: 1, HAS_BIAS: false } };
    const first = ctx.compile(k);
    ctx.dispatch(k, { bind: { x, b: ctx.placeholder, out: o }, params: { count: 2, cols: 2 }, invocations: 2 });
    expect(ctx.compile({ ...k, constants: { HAS_BIAS: false, ACT: 1 } })).toBe(first);
    expect(ctx.compile({ ...k, constants: { HAS_BIAS: false, ACT: 2 } })).not.toBe(first);
    ctx.flush();
  });

  it('names what is wrong with a dispatch: missing tensor, unknown binding, missing or unknown param', () => {
    const x = ctx.fromArray([1], [1]);
    const out = ctx.empty([1]);
    expect(() => ctx.dispatch(axpby, { bind: { x, out }, params: { count: 1, alpha: 1, beta: 1 }, invocations: 1 })).toThrow(/needs a tensor bound to 'y'/);
    expect(() => ctx.dispatch(axpby, { bind: { x, y: x, out, z: x }, params: { count: 1, alpha: 1, beta: 1 }, invocations: 1 })).toThrow(/no storage binding 'z'/);
    expect(() => ctx.dispatch(axpby, { bind: { x, y: x, out }, params: { count: 1, alpha: 1 }, invocations: 1 })).toThrow(/param 'beta'/);
    expect(() => ctx.dispatch(axpby, { bind: { x, y: x, out }, params: { count: 1, alpha: 1, beta: 1, gamma: 2 }, invocations: 1 })).toThrow(/no field 'gamma'/);
    expect(() => ctx.dispatch({ shader: 'nope', entry: 'x' }, { bind: {}, invocations: 1 })).toThrow(/unknown shader 'nope'.*elementwise/);
    expect(() => ctx.dispatch({ shader: 'elementwise', entry: 'nope' }, { bind: {}, invocations: 1 })).toThrow(/no entry point 'nope'.*axpby/);
  });

  it('splits a workgroup count above maxComputeWorkgroupsPerDimension into a 2-D grid', () => {
    const max = ctx.limits.maxComputeWorkgroupsPerDimension;
    expect(ctx.splitGroups(max, 't')).toEqual([max, 1, 1]);
    const [x, y] = ctx.splitGroups(max + 1, 't');
    expect(y).toBe(2);
    expect(x * y).toBeGreaterThanOrEqual(max + 1);
    expect(x).toBeLessThanOrEqual(max);
    expect(() => ctx.splitGroups(max * max + 1, 't')).toThrow(/maxComputeWorkgroupsPerDimension/);
  });

  it('logs the WGSL of a pipeline when compiled with BACKPROP_DUMP_WGSL', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const g = globalThis as { BACKPROP_DUMP_WGSL?: boolean };
    g.BACKPROP_DUMP_WGSL = true;
    let text = '';
    try {
      ctx.compile({ shader: 'elementwise', entry: 'scale', constants: { ACT: 3 } });
      text = log.mock.calls.map((c) => String(c[0])).join('\n');
    } finally {
      g.BACKPROP_DUMP_WGSL = false;
      log.mockRestore();
    }
    expect(text).toContain('elementwise:scale|ACT=3');
    expect(text).toContain(shaderSource('elementwise'));
  });

  it('every entry point binds at most 8 storage buffers (WebGPU\'s guaranteed maxStorageBuffersPerShaderStage)', () => {
    let entries = 0;
    for (const name of Object.keys(SHADERS)) {
      for (const subgroups of usesGroupSum(name) ? [false, true] : [false]) {
        const defs = makeShaderDataDefinitions(composeShader(name, subgroups));
        for (const [entry, ep] of Object.entries(defs.entryPoints)) {
          const storages = ep.resources.filter((r) => r.name in defs.storages).map((r) => r.name);
          expect(storages.length, `${name}${subgroups ? '+subgroups' : ''}:${entry} binds ${storages.join(', ')}`).toBeLessThanOrEqual(8);
          entries++;
        }
      }
    }
    expect(entries).toBeGreaterThan(20);
  });

  it('the registry holds every kernel family as WGSL text', () => {
    for (const name of ['matmul', 'elementwise', 'softmax', 'cross_entropy', 'reduce', 'optimizers']) {
      expect(SHADERS[name], name).toMatch(/@compute/);
    }
  });
});

describe('shared WGSL helpers (shaders/lib)', () => {
  const libs = Object.keys(SHADERS).filter((n) => n.startsWith('lib/'));
  const kernels = Object.keys(SHADERS).filter((n) => !n.startsWith('lib/'));
  const fnsOf = (src: string) => [...src.matchAll(/^fn\s+(\w+)\s*\(/gm)].map((m) => m[1]!);
  const calls = (src: string, fn: string) => new RegExp(`\\b${fn}\\s*\\(`).test(src.replace(/\/\/.*$/gm, ''));

  it('activation and element_index are defined once, in shaders/lib', () => {
    expect(libs).toEqual(expect.arrayContaining(['lib/activation', 'lib/element_index']));
    expect(fnsOf(SHADERS['lib/activation']!)).toEqual(['activate', 'activate_grad', 'activate4', 'activate_grad4']);
    expect(fnsOf(SHADERS['lib/element_index']!)).toEqual(['element_index']);
    for (const lib of libs) {
      for (const fn of fnsOf(SHADERS[lib]!)) {
        const definers = kernels.filter((k) => new RegExp(`\\bfn\\s+${fn}\\b`).test(SHADERS[k]!));
        expect(definers, `${fn} of ${lib}.wgsl defined again in`).toEqual([]);
      }
    }
  });

  it('a kernel declares exactly the helper files whose functions it calls', () => {
    let declared = 0;
    for (const k of kernels) {
      const src = SHADERS[k]!;
      const used = libs.filter((lib) => fnsOf(SHADERS[lib]!).some((fn) => calls(src, fn)));
      expect(declaredLibs(src), `shaders/${k}.wgsl`).toEqual(used);
      declared += used.length;
    }
    expect(declared).toBeGreaterThanOrEqual(14);   // activation in 5 kernels, element_index in 9
  });

  it('the composer puts the declared helper files before the kernel, whose own lines stay as in its file', () => {
    for (const subgroups of [false, true]) {
      const text = composeShader('conv2d', subgroups);
      const at = (s: string) => text.indexOf(s);
      expect(at(SHADERS['lib/activation']!.replace(/\n$/, ''))).toBeGreaterThanOrEqual(0);
      expect(at(SHADERS['lib/element_index']!.replace(/\n$/, ''))).toBeGreaterThan(at('fn activate('));
      expect(text.endsWith(shaderSource('conv2d'))).toBe(true);
      if (subgroups) expect(text.startsWith('enable subgroups;\n')).toBe(true);
    }
    expect(composeShader('softmax', false)).toBe(`${SHADERS['lib/element_index']}\n${shaderSource('softmax')}`);
    // the step-through's lines are lines of the file the notebook shows
    const file = shaderSource('softmax').split('\n');
    const [first, last] = entryLines(shaderSource('softmax'), 'softmax')!;
    expect(file[first]).toMatch(/^@compute/);
    expect(file[first + 1]).toMatch(/^fn softmax\(/);
    expect(file[last]).toBe('}');
  });

  it('names the helper files when a declared one does not exist', () => {
    expect(declaredLibs('// uses lib/activation.wgsl\n// uses lib/element_index.wgsl\nfn f() {}')).toEqual(['lib/activation', 'lib/element_index']);
    expect(() => declaredLibs('// uses lib/activations.wgsl\n')).toThrow(/no helper file shaders\/lib\/activations\.wgsl.*shaders\/lib\/activation\.wgsl/);
    expect(() => declaredLibs('// uses matmul.wgsl\n')).toThrow(/no helper file shaders\/matmul\.wgsl/);
  });

  it('compiles every kernel with its helpers on the device', async () => {
    for (const k of kernels.filter((n) => declaredLibs(SHADERS[n]!).length > 0)) {
      ctx.device.pushErrorScope('validation');
      const module = ctx.device.createShaderModule({ code: composeShader(k, false), label: k });
      const info = await module.getCompilationInfo();
      const error = await ctx.device.popErrorScope();
      expect(info.messages.filter((m) => m.type === 'error').map((m) => m.message), k).toEqual([]);
      expect(error?.message, k).toBeUndefined();
    }
  });
});
