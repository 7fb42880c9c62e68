// The WGSL reflection the page ships ('virtual:wgsl-reflection', computed at build time by
// scripts/wgsl-reflection.ts) against webgpu-utils' own reading of the composed text, here
// and now: every shader, both subgroup variants, every entry point. The uniform writer
// against makeStructuredView's bytes. The dispatch's errors for wrong params, the build's
// for WGSL the engine cannot bind, and the dev server computing the module again when a
// .wgsl file changes.
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'vite';
import {
  makeBindGroupLayoutDescriptors,
  makeShaderDataDefinitions,
  makeStructuredView,
  type IntrinsicDefinition,
  type ShaderDataDefinitions,
  type StructDefinition,
} from 'webgpu-utils';
import shipped from 'virtual:wgsl-reflection';
import { createGpuContext, GpuContext } from '../src/engine/gpu/context';
import { nodeGPU } from '../src/engine/gpu/node';
import { composeShader, SHADERS, usesGroupSum } from '../src/engine/gpu/shaders';
import { layoutEntries, moduleReflection, type ShaderReflections, type UniformField } from '../src/engine/gpu/runtime/reflection';
import { UniformWriter } from '../src/engine/gpu/runtime/uniforms';
import { Rng } from '../src/engine/random';
import wgslReflection, { loadWebgpuUtils, readShaders, reflectModule, reflectShaders, shaderFiles, SHADERS_DIR, VIRTUAL_ID } from '../scripts/wgsl-reflection';

const kernels = Object.keys(SHADERS).filter((n) => !n.startsWith('lib/'));

let ctx: GpuContext;
beforeAll(async () => {
  const adapter = await (await nodeGPU()).requestAdapter(); // also the WebGPU globals (GPUShaderStage)
  if (!adapter) throw new Error('no WebGPU adapter');
  ctx = await createGpuContext(adapter, { label: 'reflection-test' });
});
afterAll(() => ctx?.destroy());

/** random values a params object could carry for one field: wide integers, any float */
function randomValue(rng: Rng, type: string): { ours: number | number[]; theirs: number | number[] | number[][] } {
  const scalar = (t: string) =>
    /u32$|u$|<u32>$/.test(t) ? rng.int(2 ** 32) : /i32$|i$|<i32>$/.test(t) ? rng.int(2 ** 32) - 2 ** 31 : rng.range(-1e6, 1e6);
  const vec = /^vec([234])/.exec(type);
  if (vec) {
    const v = Array.from({ length: Number(vec[1]) }, () => scalar(type));
    return { ours: v, theirs: v };
  }
  const mat = /^mat([234])x([234])/.exec(type);
  if (mat) {
    const columns = Array.from({ length: Number(mat[1]) }, () => Array.from({ length: Number(mat[2]) }, () => scalar(type)));
    return { ours: columns.flat(), theirs: columns };
  }
  const v = scalar(type);
  return { ours: v, theirs: v };
}

/** our writer's bytes and makeStructuredView's for the same random values, `draws` times */
function compareWriter(rng: Rng, draws: number, defs: ShaderDataDefinitions, name: string, size: number, fields: Record<string, UniformField>) {
  const writer = new UniformWriter('test', name, size, fields);
  const view = makeStructuredView(defs.uniforms[name]!);
  expect(view.arrayBuffer.byteLength, name).toBe(size);
  for (let d = 0; d < draws; d++) {
    const ours: Record<string, number | number[]> = {};
    const theirs: Record<string, unknown> = {};
    for (const [f, { type }] of Object.entries(fields)) ({ ours: ours[f], theirs: theirs[f] } = randomValue(rng, type));
    view.set(theirs);
    expect(Array.from(writer.write(ours, 'test')), `${name} draw ${d}`).toEqual(Array.from(new Uint8Array(view.arrayBuffer)));
  }
}

describe('the shipped WGSL reflection', () => {
  it('is what the build computes from the files of shaders/', async () => {
    expect(shipped).toEqual(await reflectShaders(readShaders(shaderFiles())));
    expect(Object.keys(shipped).filter((k) => !k.endsWith('+subgroups')).sort()).toEqual([...kernels].sort());
  });

  it('equals webgpu-utils on the composed text: every shader, both variants, every entry point', () => {
    let entries = 0;
    let variants = 0;
    for (const name of kernels) {
      for (const subgroups of [false, true]) {
        const at = `${name}${subgroups ? '+subgroups' : ''}`;
        const defs = makeShaderDataDefinitions(composeShader(name, subgroups));
        const m = moduleReflection(name, subgroups);
        if (subgroups && usesGroupSum(name)) variants++;
        // the storages the module declares, with their bindings
        expect(Object.fromEntries(Object.entries(m.storages).map(([s, r]) => [s, r.binding])), at).toEqual(
          Object.fromEntries(Object.entries(defs.storages).map(([s, v]) => [s, v.binding])),
        );
        expect(Object.keys(m.entryPoints).sort(), at).toEqual(Object.keys(defs.entryPoints).sort());
        for (const [entry, ep] of Object.entries(defs.entryPoints)) {
          const names = m.entryPoints[entry]!;
          expect(names, `${at}:${entry}`).toEqual(ep.resources.map((r) => r.name));
          // the layout, as makeBindGroupLayoutDescriptors gives it
          expect([{ entries: layoutEntries(m, names) }], `${at}:${entry} layout`).toEqual(
            makeBindGroupLayoutDescriptors(defs, { compute: { entryPoint: entry } }),
          );
          for (const r of ep.resources) {
            if (r.name in defs.uniforms) {
              // the uniform: binding, size, every field's offset and type
              const def = defs.uniforms[r.name]!;
              const fields = (def.typeDefinition as StructDefinition).fields;
              expect(m.uniforms[r.name], `${at}:${entry} uniform ${r.name}`).toEqual({
                binding: r.entry.binding,
                buffer: r.entry.buffer,
                size: def.size,
                fields: Object.fromEntries(Object.entries(fields).map(([f, d]) => [f, { offset: d.offset, type: (d.type as IntrinsicDefinition).type }])),
              });
            } else {
              // a storage: binding, read-only or read_write
              expect(m.storages[r.name], `${at}:${entry} storage ${r.name}`).toEqual({ binding: r.entry.binding, buffer: r.entry.buffer });
            }
          }
          entries++;
        }
      }
    }
    expect(entries).toBeGreaterThan(40);
    expect(variants).toBeGreaterThanOrEqual(3); // conv2d, conv_backward, reduce have subgroup variants
  });

  it('packs every uniform struct of the shaders as makeStructuredView does, for random values', () => {
    const rng = new Rng(7);
    let structs = 0;
    for (const key of Object.keys(shipped as ShaderReflections)) {
      const [name, sg] = key.split('+');
      const defs = makeShaderDataDefinitions(composeShader(name!, sg === 'subgroups'));
      for (const [u, r] of Object.entries(shipped[key]!.uniforms)) {
        compareWriter(rng, 20, defs, u, r.size, r.fields);
        structs++;
      }
    }
    expect(structs).toBeGreaterThanOrEqual(12);
  });

  it('packs vectors and matrices (with their padding) as makeStructuredView does', async () => {
    const wgsl = `
      struct S { a: u32, b: vec3f, c: mat3x3f, d: vec2<i32>, e: mat2x3<f32>, f: f32, g: mat4x2f, h: vec4u,
                 i: i32, j: mat2x2<f32>, k: vec3<i32>, l: mat3x4f, m: vec2f }
      @group(0) @binding(0) var<uniform> s: S;
      @group(0) @binding(1) var<storage, read_write> out: array<f32>;
      @compute @workgroup_size(1) fn main() { out[0] = s.f; }`;
    const m = reflectModule(await loadWebgpuUtils(), wgsl, 'synthetic.wgsl');
    expect([...m.entryPoints.main!].sort()).toEqual(['out', 's']);
    const u = m.uniforms.s!;
    expect(Object.values(u.fields).map((f) => f.offset)).toEqual([0, 16, 32, 80, 96, 128, 136, 176, 192, 200, 224, 240, 288]);
    compareWriter(new Rng(11), 50, makeShaderDataDefinitions(wgsl), 's', u.size, u.fields);
  });
});

describe('a dispatch names the kernel and the field when its params are wrong', () => {
  const axpby = { shader: 'elementwise', entry: 'axpby' } as const;
  const dispatch = (params?: Record<string, number | number[]>) => {
    const x = ctx.fromArray([1, 2, 3], [3]);
    const out = ctx.empty([3]);
    try {
      ctx.dispatch(axpby, { bind: { x, y: x, out }, params, invocations: 3 });
    } finally {
      ctx.flush();
      ctx.dispose(x);
      ctx.dispose(out);
    }
  };

  it('missing, unknown, absent, and a vector for a scalar', async () => {
    expect(() => dispatch({ count: 3, alpha: 1 })).toThrow(/kernel elementwise:axpby: param 'beta' of 'lin' is missing \(fields: count, alpha, beta\)/);
    expect(() => dispatch({ count: 3, alpha: 1, beta: 2, gamma: 0 })).toThrow(/kernel elementwise:axpby: 'lin' has no field 'gamma' \(fields: count, alpha, beta\)/);
    expect(() => dispatch()).toThrow(/kernel elementwise:axpby needs params \{count, alpha, beta\}/);
    expect(() => dispatch({ count: 3, alpha: [1, 2], beta: 2 })).toThrow(/param 'alpha' of 'lin' is a f32: give a number/);
    // and the context still works
    const x = ctx.fromArray([1, 2, 3], [3]);
    const out = ctx.empty([3]);
    ctx.dispatch(axpby, { bind: { x, y: x, out }, params: { count: 3, alpha: 2, beta: -1 }, invocations: 3 });
    expect(Array.from(await ctx.read(out))).toEqual([1, 2, 3]);
    ctx.dispose(x);
    ctx.dispose(out);
  });

  it('a vector or matrix field takes exactly its number of values', () => {
    const w = new UniformWriter('k:e', 'p', 48, { v: { offset: 0, type: 'vec3f' }, m: { offset: 16, type: 'mat2x3f' } });
    expect(() => w.write({ v: [1, 2], m: [1, 2, 3, 4, 5, 6] }, 'op')).toThrow(/op: kernel k:e: param 'v' of 'p' is a vec3f: give 3 numbers, not 2/);
    expect(() => w.write({ v: [1, 2, 3], m: 1 }, 'op')).toThrow(/param 'm' of 'p' is a mat2x3f: give 6 numbers, column by column, not one/);
    expect(() => new UniformWriter('k:e', 'p', 8, { h: { offset: 0, type: 'vec4h' } })).toThrow(/kernel k:e: field 'h' of 'p' is a vec4h/);
  });
});

describe('the build refuses WGSL the engine cannot bind, naming the file and entry point', () => {
  const reflect = async (wgsl: string) => reflectModule(await loadWebgpuUtils(), wgsl, 'shaders/bad.wgsl');
  const main = (body: string) => `@compute @workgroup_size(1) fn main() { ${body} }`;

  it('two uniforms, a texture, another group, a scalar uniform, an array field', async () => {
    const two = `struct A { x: u32 } struct B { y: u32 }
      @group(0) @binding(0) var<uniform> a: A; @group(0) @binding(1) var<uniform> b: B;
      @group(0) @binding(2) var<storage, read_write> o: array<u32>;`;
    await expect(reflect(two + main('o[0] = a.x + b.y;'))).rejects.toThrow(/shaders\/bad\.wgsl: entry point 'main' binds 'b': at most one uniform struct per entry point \(found 'a' and 'b'\)/);
    const tex = `@group(0) @binding(0) var t: texture_2d<f32>; @group(0) @binding(1) var<storage, read_write> o: array<f32>;`;
    await expect(reflect(tex + main('o[0] = textureLoad(t, vec2u(0u), 0).x;'))).rejects.toThrow(/binds 't', which is not a buffer/);
    const g1 = `@group(1) @binding(0) var<storage, read_write> o: array<f32>;`;
    await expect(reflect(g1 + main('o[0] = 1.0;'))).rejects.toThrow(/binds 'o' in @group\(1\); only @group\(0\)/);
    const scalar = `@group(0) @binding(0) var<uniform> n: u32; @group(0) @binding(1) var<storage, read_write> o: array<u32>;`;
    await expect(reflect(scalar + main('o[0] = n;'))).rejects.toThrow(/uniform 'n' is not a struct/);
    const arr = `struct A { x: array<vec4f, 2> } @group(0) @binding(0) var<uniform> a: A; @group(0) @binding(1) var<storage, read_write> o: array<f32>;`;
    await expect(reflect(arr + main('o[0] = a.x[0].x;'))).rejects.toThrow(/uniform 'a': field 'x' is an array or a struct/);
  });
});

describe('the dev server', () => {
  it('computes the module again when a .wgsl file changes, appears or goes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wgsl-reflection-'));
    const dir = join(root, 'shaders');
    cpSync(SHADERS_DIR, dir, { recursive: true });
    const server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      appType: 'custom',
      plugins: [wgslReflection(dir)],
      server: { middlewareMode: true, ws: false },
    });
    const load = async () => ((await server.ssrLoadModule(VIRTUAL_ID)) as { default: ShaderReflections }).default;
    /** loads the module until `ok` holds: the watcher's event arrives when it arrives */
    const until = async (ok: (r: ShaderReflections) => boolean, what: string) => {
      for (let i = 0; i < 600; i++) {
        const r = await load();
        if (ok(r)) return r;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error(`the module was not computed again: ${what}`);
    };
    try {
      const before = await load();
      expect(Object.keys(before.softmax!.entryPoints).sort()).toEqual(['softmax', 'softmax_backward']);
      const softmax = join(dir, 'softmax.wgsl');
      writeFileSync(softmax, `${readFileSync(softmax, 'utf8')}\n@compute @workgroup_size(1)\nfn probe() { out[0] = 0.0; }\n`);
      const changed = await until((r) => 'probe' in r.softmax!.entryPoints, 'an entry point added to softmax.wgsl');
      expect(changed.softmax!.entryPoints.probe).toEqual(['out']);

      const added = join(dir, 'probe.wgsl');
      writeFileSync(added, 'struct P { n: u32, s: f32 }\n@group(0) @binding(0) var<uniform> p: P;\n@group(0) @binding(1) var<storage, read_write> o: array<f32>;\n@compute @workgroup_size(1)\nfn fill() { o[p.n] = p.s; }\n');
      const appeared = await until((r) => 'probe' in r, 'a new file probe.wgsl');
      expect(appeared.probe!.uniforms.p!.fields).toEqual({ n: { offset: 0, type: 'u32' }, s: { offset: 4, type: 'f32' } });

      unlinkSync(added);
      expect('probe' in (await until((r) => !('probe' in r), 'probe.wgsl deleted'))).toBe(false);
    } finally {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
