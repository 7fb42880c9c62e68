// numpy's einsum: out[output letters] = Σ over the other letters of Π operands[their letters].
// 'ij,jk->ik' matmul; 'bij,bjk->bik' batched; 'ii' trace; 'ii->i' diagonal; 'ij->ji';
// 'i,j->ij' outer; 'ij->' total. Implicit output (no '->'): the letters used exactly once,
// in alphabetical order. '...' is not offered: name every axis.
//
// Evaluation: each operand's repeated letters become its diagonal and its private letters
// are summed; then operands are combined left to right, each pair as one batched matrix
// product (batch letters, kept letters, summed letters) — the work of a matmul, not of a
// loop over every letter combination.

import { ArrayInput, NDArray, ShapeError, asarray, fmtShape, gather, sizeOf, stridesOf } from './ndarray';
import { matmul } from './linalg';
import { sum } from './reduce';
import { transpose } from './shape';

interface Term {
  a: NDArray;
  labels: string[];
}

const parsed = new Map<string, { inputs: string[][]; output: string[] }>();

/** the letters of each operand and of the output (cached: a loop repeats the same subscripts) */
function parse(subscripts: string, n: number): { inputs: string[][]; output: string[] } {
  const key = `${subscripts}|${n}`;
  const hit = parsed.get(key);
  if (hit) return hit;
  const res = parseUncached(subscripts, n);
  if (parsed.size > 256) parsed.clear();
  parsed.set(key, res);
  return res;
}

function parseUncached(subscripts: string, n: number): { inputs: string[][]; output: string[] } {
  if (typeof subscripts !== 'string') throw new TypeError(`einsum: the first argument is the subscripts string, e.g. 'ij,jk->ik'`);
  const s = subscripts.replace(/\s+/g, '');
  if (s.includes('.')) throw new ShapeError(`einsum: '...' is not offered: name every axis with a letter (in '${subscripts}')`);
  const parts = s.split('->');
  if (parts.length > 2) throw new ShapeError(`einsum: '${subscripts}' has more than one '->'`);
  const inputs = parts[0].split(',').map((t) => [...t]);
  for (const t of inputs.flat().concat(parts.length === 2 ? [...parts[1]] : [])) {
    if (!/^[a-zA-Z]$/.test(t)) throw new ShapeError(`einsum: '${t}' in '${subscripts}' is not a letter`);
  }
  if (inputs.length !== n) throw new ShapeError(`einsum: '${subscripts}' names ${inputs.length} operand(s) but ${n} were given`);
  let output: string[];
  if (parts.length === 2) {
    output = [...parts[1]];
    if (new Set(output).size !== output.length) throw new ShapeError(`einsum: the output '${parts[1]}' repeats a letter`);
    for (const l of output) if (!inputs.some((t) => t.includes(l))) throw new ShapeError(`einsum: output letter '${l}' does not appear in the inputs of '${subscripts}'`);
  } else {
    const count = new Map<string, number>();
    for (const l of inputs.flat()) count.set(l, (count.get(l) ?? 0) + 1);
    output = [...count].filter(([, c]) => c === 1).map(([l]) => l).sort();
  }
  return { inputs, output };
}

/** sums the axes whose letters are not in `keep` */
function sumOut(t: Term, keep: Set<string>): Term {
  const drop = t.labels.flatMap((l, i) => (keep.has(l) ? [] : [i]));
  if (drop.length === 0) return t;
  return { a: sum(t.a, drop), labels: t.labels.filter((l) => keep.has(l)) };
}

/** moves the axes into the order of `labels` */
function arrange(t: Term, labels: string[]): NDArray {
  const perm = labels.map((l) => t.labels.indexOf(l));
  return perm.every((p, i) => p === i) ? t.a : transpose(t.a, perm);
}

export function einsum(subscripts: string, ...operands: ArrayInput[]): NDArray {
  const arrs = operands.map((x) => asarray(x, 'einsum'));
  const { inputs, output } = parse(subscripts, arrs.length);
  const size = new Map<string, number>();
  const terms: Term[] = arrs.map((a, k) => {
    const labels = inputs[k];
    if (labels.length !== a.ndim) {
      throw new ShapeError(`einsum: operand ${k} has shape ${fmtShape(a.shape)} (${a.ndim} axes) but '${labels.join('')}' names ${labels.length}`);
    }
    labels.forEach((l, i) => {
      const n = size.get(l);
      if (n !== undefined && n !== a.shape[i]) {
        throw new ShapeError(`einsum: letter '${l}' has size ${n} in one place and ${a.shape[i]} in operand ${k} (shape ${fmtShape(a.shape)})`);
      }
      size.set(l, a.shape[i]);
    });
    // repeated letters within one operand: its diagonal, with strides added
    const uniq = [...new Set(labels)];
    if (uniq.length === labels.length) return { a, labels };
    const st = stridesOf(a.shape);
    const ust = uniq.map((u) => labels.reduce((s, l, i) => (l === u ? s + st[i] : s), 0));
    return { a: gather(a.data, 0, uniq.map((u) => size.get(u)!), ust, 'einsum'), labels: uniq };
  });

  const needed = (from: number): Set<string> => new Set([...output, ...terms.slice(from).flatMap((t) => t.labels)]);
  let cur = sumOut(terms[0], needed(1));
  for (let k = 1; k < terms.length; k++) {
    const later = needed(k + 1);
    let next = terms[k];
    cur = sumOut(cur, new Set([...later, ...next.labels]));
    next = sumOut(next, new Set([...later, ...cur.labels]));
    const both = cur.labels.filter((l) => next.labels.includes(l));
    const batch = both.filter((l) => later.has(l));
    const contract = both.filter((l) => !later.has(l));
    const left = cur.labels.filter((l) => !both.includes(l));
    const right = next.labels.filter((l) => !both.includes(l));
    const n = (ls: string[]) => sizeOf(ls.map((l) => size.get(l)!));
    const A = arrange(cur, [...batch, ...left, ...contract]);
    const B = arrange(next, [...batch, ...contract, ...right]);
    const C = matmul(new NDArray(A.data, [n(batch), n(left), n(contract)]), new NDArray(B.data, [n(batch), n(contract), n(right)]));
    const labels = [...batch, ...left, ...right];
    cur = { a: new NDArray(C.data, labels.map((l) => size.get(l)!)), labels };
  }
  cur = sumOut(cur, new Set(output));
  const res = arrange(cur, output);
  return res === arrs[0] ? res.copy() : res;
}
