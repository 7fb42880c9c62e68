// The playground's CSV: a parsed file becomes the plane's data (two chosen columns, the
// classes that occur, standardized inputs, one-hot targets), files the playground cannot
// plot are refused with the reason, the axis choice swaps rather than repeats a column,
// and the network learns two clusters of a CSV on the page's trainer.

import { describe, expect, it } from 'vitest';
import { csvMisfit, csvPlaygroundData, MAX_CSV_CLASSES, MAX_CSV_ROWS, pickAxis } from '../src/notebook/chapters/playground/csv';
import { scaleOf } from '../src/notebook/chapters/playground/data';
import { PLAYGROUND_DEFAULTS } from '../src/notebook/chapters/playground/settings';
import { PlaygroundTrainer, playgroundModel } from '../src/notebook/chapters/playground/trainer';
import type { ClassificationDataset } from '../src/nn/data/dataset';
import { parseOwnData, previewOwnData, type OwnDataSource } from '../src/train/own-data';

const source = (text: string, labelColumn?: number): OwnDataSource => ({ format: 'csv', files: [{ name: 'mine.csv', bytes: new TextEncoder().encode(text) }], labelColumn });

async function parsed(text: string, labelColumn?: number): Promise<ClassificationDataset> {
  const { data } = await parseOwnData(source(text, labelColumn));
  if (data.task !== 'classification') throw new Error('expected classes');
  return data;
}

/** two seeded Gaussian clusters in columns a, b (plus a noise column c), labels 'east' / 'west' */
function clusters(n: number): string {
  let s = 7;
  const u = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const rows = ['a,b,c,side'];
  for (let i = 0; i < n; i++) {
    const k = i % 2;
    rows.push([(k ? 30 : 10) + 3 * normal(), (k ? -1 : 1) + 0.5 * normal(), normal(), k ? 'east' : 'west'].map((v) => (typeof v === 'number' ? v.toFixed(4) : v)).join(','));
  }
  return rows.join('\n');
}

describe("the playground's CSV", () => {
  it('takes the two chosen columns, the classes that occur, standardized inputs and one-hot targets', async () => {
    // integer labels 0 and 2: class 1 has no row and is dropped
    const ds = await parsed('p,q,r,label\n1,10,100,0\n2,20,300,2\n3,30,200,0\n4,40,400,2\n');
    const d = csvPlaygroundData(ds, [2, 0]);
    expect([d.n, d.d, d.k, d.task]).toEqual([4, 2, 2, 'classification']);
    expect(Array.from(d.raw)).toEqual([100, 1, 300, 2, 200, 3, 400, 4]);
    expect(d.classNames).toEqual(['0', '2']);
    expect(Array.from(d.labels)).toEqual([0, 1, 0, 1]);
    expect(Array.from(d.targets)).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
    expect(d.axisNames).toEqual(['r', 'p']);
    expect(d.name).toBe('mine.csv');
    for (const c of [0, 1]) {
      const s = scaleOf(d.inputs, 2, c);
      expect(s.mean).toBeCloseTo(0, 12);
      expect(s.std).toBeCloseTo(1, 12);
    }
    // (x − μ)/s with the column's own μ and s: r = 100 → (100 − 250)/√12500
    expect(d.inputs[0]).toBeCloseTo((100 - 250) / Math.sqrt(12500), 12);
    // each axis spans its own column (the units differ), padded by 8 %
    expect(d.extent.x).toEqual([100 - 0.08 * 300, 400 + 0.08 * 300]);
    expect(d.extent.y[0]).toBeCloseTo(1 - 0.08 * 3, 12);
    expect(d.extent.y[1]).toBeCloseTo(4 + 0.08 * 3, 12);
  });

  it('string labels become the sorted classes; a file without a header names its columns', async () => {
    const d = csvPlaygroundData(await parsed('0.5,1,b\n1.5,2,a\n2.5,3,c\n'), [0, 1]);
    expect(d.classNames).toEqual(['a', 'b', 'c']);
    expect(Array.from(d.labels)).toEqual([1, 0, 2]);
    expect(d.axisNames).toEqual(['column 0', 'column 1']);
  });

  it('refuses two equal axes or a column that is not there', async () => {
    const ds = await parsed('p,q,label\n1,2,x\n3,4,y\n');
    expect(() => csvPlaygroundData(ds, [1, 1])).toThrow('two different feature columns of 0…1, got 1 and 1');
    expect(() => csvPlaygroundData(ds, [0, 2])).toThrow('got 0 and 2');
  });

  it('refuses a file the playground cannot plot, with the reason', async () => {
    const misfit = async (text: string, label?: number) => csvMisfit(await previewOwnData(source(text, label), 0, 0));
    expect(await misfit('p,q,label\n1,2,x\n3,4,y\n')).toBeNull();
    expect(await misfit('p,label\n1,x\n3,y\n')).toBe('the file has 1 feature column besides the label; the playground plots two');
    expect(await misfit('p,q,label\n1,2,x\n3,4,x\n')).toBe("the label column 'label' holds one class only; a classifier needs two or more");
    const many = ['p,q,label', ...Array.from({ length: MAX_CSV_CLASSES + 1 }, (_, i) => `${i},${i},c${i}`)].join('\n');
    expect(await misfit(many)).toBe(`the label column 'label' holds 7 classes; the playground colours at most 6 (choose another label column, or a file of fewer classes)`);
    const big = ['p,q,label', ...Array.from({ length: MAX_CSV_ROWS + 1 }, (_, i) => `${i},${i % 7},${i % 2 ? 'x' : 'y'}`)].join('\n');
    expect(await misfit(big)).toBe('1,801 rows; the playground trains on this page on every row and takes at most 1,800');
  });

  it('a column put on the other axis swaps the two', () => {
    expect(pickAxis([0, 1], 0, 3)).toEqual([3, 1]);
    expect(pickAxis([0, 1], 1, 2)).toEqual([0, 2]);
    expect(pickAxis([0, 1], 0, 1)).toEqual([1, 0]);
    expect(pickAxis([2, 3], 1, 2)).toEqual([3, 2]);
  });

  it("the page's trainer learns two clusters of a CSV from its columns a and b", async () => {
    const data = csvPlaygroundData(await parsed(clusters(60)), [0, 1]);
    expect(data.classNames).toEqual(['east', 'west']);
    const s = { ...PLAYGROUND_DEFAULTS, data: 'csv' as const };
    const t = new PlaygroundTrainer(data, playgroundModel(s, data.k), 16, 1);
    const before = await t.evaluate();
    await t.train(200);
    const after = await t.evaluate();
    expect(after.loss).toBeLessThan(before.loss / 4);
    expect(after.accuracy).toBeGreaterThanOrEqual(0.95);
    t.dispose();
  });
});
