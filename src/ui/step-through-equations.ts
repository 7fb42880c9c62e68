// The equation of one traced op, written with the shapes of the tensors that actually
// took part: TeX for the page (each symbol with its shape set under it) and plain text
// for screen readers and tests, e.g.
//
//   Z (8, 3) = X (8, 5) · W (5, 3) + 1·b (1, 3)
//
// Templates name tensors by their role in the trace ({X}, {W}, {dZ}, …); a role the op
// did not record is written without a shape.

import { EQUATION_TABLE, type EquationVariant } from '../nn/equations';
import type { TraceOp, TraceTensor } from '../train/trace';

/** TeX and text for one symbol, by trace role */
const SYMBOLS: Record<string, { tex: string; text: string }> = {
  X: { tex: 'X', text: 'X' },
  W: { tex: 'W', text: 'W' },
  b: { tex: 'b', text: 'b' },
  Z: { tex: 'Z', text: 'Z' },
  Y: { tex: 'Y', text: 'Y' },
  y: { tex: 'y', text: 'y' },
  L: { tex: 'L', text: 'L' },
  'Ŷ': { tex: String.raw`\hat Y`, text: 'Ŷ' },
  'σ': { tex: String.raw`\hat Y`, text: 'Ŷ' },
  dX: { tex: String.raw`\mathrm{d}X`, text: 'dX' },
  dY: { tex: String.raw`\mathrm{d}Y`, text: 'dY' },
  dZ: { tex: String.raw`\mathrm{d}Z`, text: 'dZ' },
  dW: { tex: String.raw`\mathrm{d}W`, text: 'dW' },
  db: { tex: String.raw`\mathrm{d}b`, text: 'db' },
  'dŶ': { tex: String.raw`\mathrm{d}\hat Y`, text: 'dŶ' },
  Y_below: { tex: String.raw`Y_{\text{below}}`, text: 'Y_below' },
  dZ_below: { tex: String.raw`\mathrm{d}Z_{\text{below}}`, text: 'dZ_below' },
  argmax: { tex: String.raw`\operatorname{argmax}`, text: 'argmax' },
  cols: { tex: String.raw`\operatorname{cols}`, text: 'cols' },
  p: { tex: 'p', text: 'p' },
  g: { tex: 'g', text: 'g' },
  velocity: { tex: 'v', text: 'v' },
  m: { tex: 'm', text: 'm' },
  v: { tex: 'v', text: 'v' },
  src: { tex: String.raw`\text{src}`, text: 'src' },
  dst: { tex: String.raw`\text{dst}`, text: 'dst' },
};

function symbol(role: string): { tex: string; text: string } {
  return SYMBOLS[role] ?? { tex: String.raw`\text{${role.replace(/[\\{}_^$&#%~]/g, '')}}`, text: role };
}

export function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

/** the tensor with this role, outputs first ("p" is both the update's input and output) */
function find(op: TraceOp, role: string, side: 'in' | 'out' | 'any' = 'any'): TraceTensor | undefined {
  if (side === 'in') return op.inputs.find((t) => t.role === role);
  if (side === 'out') return op.outputs.find((t) => t.role === role);
  return op.outputs.find((t) => t.role === role) ?? op.inputs.find((t) => t.role === role);
}

export interface EquationParts {
  /** display TeX with shapes under the symbols */
  tex: string;
  /** one line of text with the shapes in parentheses */
  text: string;
}

/** activation name as TeX / text */
function act(name: unknown): { tex: string; text: string } {
  const n = typeof name === 'string' ? name : 'σ';
  if (n === 'relu') return { tex: String.raw`\operatorname{ReLU}`, text: 'ReLU' };
  if (n === 'sigmoid') return { tex: String.raw`\operatorname{sigmoid}`, text: 'sigmoid' };
  if (n === 'tanh') return { tex: String.raw`\tanh`, text: 'tanh' };
  if (n === 'linear') return { tex: '', text: '' };
  return { tex: String.raw`\sigma`, text: 'σ' };
}

/**
 * A template is a list of pieces: a role in braces ({X}, or {X:in} / {X:out} to pick a
 * side) becomes the symbol with its shape; `⟦tex|text⟧` is written one way in TeX and
 * another in text; anything else is used as it is in both.
 */
function render(op: TraceOp, template: string, extra: Record<string, { tex: string; text: string }> = {}): EquationParts {
  let tex = '';
  let text = '';
  const re = /\{([^}:]+)(?::(in|out))?\}|⟦([^|⟧]*)\|([^⟧]*)⟧|\$(\w+)/g;
  let last = 0;
  for (const m of template.matchAll(re)) {
    const plain = template.slice(last, m.index);
    tex += plain;
    text += plain;
    last = m.index! + m[0].length;
    if (m[1] !== undefined) {
      const role = m[1];
      const t = find(op, role, (m[2] as 'in' | 'out' | undefined) ?? 'any');
      const s = symbol(role);
      if (t) {
        tex += String.raw`\underset{(${t.shape.join(String.raw`,\,`)})}{${s.tex}}`;
        text += `${s.text} ${shapeText(t.shape)}`;
      } else {
        tex += s.tex;
        text += s.text;
      }
    } else if (m[3] !== undefined) {
      tex += m[3];
      text += m[4];
    } else if (m[5] !== undefined) {
      const e = extra[m[5]] ?? { tex: m[5], text: m[5] };
      tex += e.tex;
      text += e.text;
    }
  }
  tex += template.slice(last);
  text += template.slice(last);
  return { tex, text: text.replace(/\s+/g, ' ').trim() };
}

function numberArg(op: TraceOp, key: string): string | null {
  const v = op.args[key];
  return typeof v === 'number' ? String(Number(v.toPrecision(4))) : null;
}

/** the entry's first template whose condition holds for this op */
function template(op: TraceOp, variants: readonly EquationVariant[]): string | null {
  for (const v of variants) {
    const has = v.when?.has;
    if (has !== undefined) {
      const [role, side] = has.split(':') as [string, 'in' | 'out' | undefined];
      if (!find(op, role, side ?? 'any')) continue;
    }
    if (v.when?.activation !== undefined && op.args.activation !== v.when.activation) continue;
    return v.template;
  }
  return null;
}

/** the equation of a traced op with its actual shapes (EQUATION_TABLE's templates) */
export function equationWithShapes(op: TraceOp): EquationParts {
  const a = act(op.args.activation);
  const da = act(op.args.dact);
  const lr = numberArg(op, 'lr');
  const stride = op.args.stride;
  const pad = op.args.pad;
  const extra = {
    act: a,
    dact: { tex: da.tex ? `${da.tex}'` : String.raw`\sigma'`, text: da.text ? `${da.text}'` : "σ'" },
    lr: { tex: lr ?? String.raw`\eta`, text: lr ?? 'lr' },
    conv: stride !== undefined ? { tex: String.raw`\qquad\text{stride ${stride}, pad ${pad}}`, text: `   (stride ${stride}, pad ${pad})` } : { tex: '', text: '' },
  };
  const entry = EQUATION_TABLE[op.equation];
  const t = entry ? template(op, entry.withShapes) : null;
  if (t !== null) return render(op, t, extra);
  const outs = op.outputs.map((x) => `{${x.role}}`).join(', ');
  const ins = op.inputs.map((x) => `{${x.role}}`).join(', ');
  return render(op, `${outs} = ⟦\\operatorname{${op.op}}|${op.op}⟧(${ins})`);
}

/** a short name for the timeline, e.g. "Z = XW + 1b" (EQUATION_TABLE's short names) */
export function shortLabel(op: TraceOp): string {
  const short = EQUATION_TABLE[op.equation]?.short;
  if (!short) return op.op;
  const p = op.inputs.find((t) => t.role === 'p');
  const values: Record<string, string> = {
    act: act(op.args.activation).text || 'σ',
    param: p ? p.label.slice(p.label.lastIndexOf('.') + 1) : 'p',
    // the first layer computes no dX
    outputs: op.outputs.map((t) => (t.role === 'dZ_below' ? 'dZ↓' : t.role)).join(', '),
  };
  return short.replace(/\$(\w+)/g, (m, k: string) => values[k] ?? m);
}
