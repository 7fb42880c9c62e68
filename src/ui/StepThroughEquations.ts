// The equation of one traced op, written with the shapes of the tensors that actually
// took part: TeX for the page (each symbol with its shape set under it) and plain text
// for screen readers and tests, e.g.
//
//   Z (8, 3) = X (8, 5) · W (5, 3) + 1·b (1, 3)
//
// Templates name tensors by their role in the trace ({X}, {W}, {dZ}, …); a role the op
// did not record is written without a shape.

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

const ONE = String.raw`⟦\mathbf{1}\,|1·⟧`;
const DOT = String.raw`⟦\,| · ⟧`;
const T = String.raw`⟦^{\top}|ᵀ⟧`;
const HAD = String.raw`⟦\odot| ⊙ ⟧`;
const MINUS = String.raw`⟦-| − ⟧`;
const ARROW = String.raw`⟦\leftarrow | ← ⟧`;
const SEP = String.raw`,⟦\quad| ⟧`;
const op1 = (name: string) => String.raw`⟦\operatorname{${name}}|${name}⟧`;

function numberArg(op: TraceOp, key: string): string | null {
  const v = op.args[key];
  return typeof v === 'number' ? String(Number(v.toPrecision(4))) : null;
}

/** the equation of a traced op with its actual shapes */
export function equationWithShapes(op: TraceOp): EquationParts {
  const a = act(op.args.activation);
  const da = act(op.args.dact);
  const lr = numberArg(op, 'lr');
  const extra = {
    act: a,
    dact: { tex: da.tex ? `${da.tex}'` : String.raw`\sigma'`, text: da.text ? `${da.text}'` : "σ'" },
    lr: { tex: lr ?? String.raw`\eta`, text: lr ?? 'lr' },
  };
  const stride = op.args.stride;
  const pad = op.args.pad;
  const convNote = stride !== undefined ? String.raw`⟦\qquad\text{stride ${stride}, pad ${pad}}|   (stride ${stride}, pad ${pad})⟧` : '';
  const below = find(op, 'dZ_below') ? '{dZ_below}' : '{dX}';
  switch (op.equation) {
    case 'fc.forward':
      return render(op, `{Y} = $act({X}${DOT}{W} + ${ONE}{b})`, extra);
    case 'fc.logits':
      return find(op, 'b') ? render(op, `{Z} = {X}${DOT}{W} + ${ONE}{b}`) : render(op, `{Z} = {X}${DOT}{W}`);
    case 'fc.backward.dW':
      return render(op, `{dW} = {X}${T}${DOT}{dZ}`);
    case 'fc.backward.db':
      return render(op, String.raw`{db} = ⟦\mathbf{1}^{\top}|1ᵀ·⟧{dZ}`);
    case 'fc.backward.dX':
      return render(op, `{dX} = {dZ}${DOT}{W}${T}`);
    case 'fc.backward.dX.dact':
      return render(op, `{dZ_below} = ({dZ}${DOT}{W}${T})${HAD}$dact({Y_below})`, extra);
    case 'fc.backward.dWdb':
      return render(op, String.raw`{dW} = {X}${T}${DOT}{dZ}${SEP}{db} = ⟦\mathbf{1}^{\top}|1ᵀ·⟧{dZ}`);
    case 'activation.forward':
      return find(op, 'b') ? render(op, `{Y} = $act({X} + ${ONE}{b})`, extra) : render(op, `{Y} = $act({X})`, extra);
    case 'activation.backward': {
      const name = op.args.activation;
      const deriv =
        name === 'relu'
          ? String.raw`⟦\mathbb{1}[|1[⟧{Y:in} > 0⟦]|]⟧`
          : name === 'sigmoid'
            ? `{Y:in}(1 ${MINUS} Y)`
            : name === 'tanh'
              ? String.raw`(1 ${MINUS} {Y:in}⟦^2|²⟧)`
              : String.raw`⟦\sigma'|σ'⟧({Y:in})`;
      return render(op, `{dZ} = {dY}${HAD}${deriv}`);
    }
    case 'softmax.forward':
      return render(op, `{Ŷ} = ${op1('softmax')}({Z})`);
    case 'softmax.backward':
      return render(op, String.raw`{dZ} = {σ}${HAD}⟦\bigl(|(⟧{dY} ${MINUS} ⟦(\mathrm{d}Y \odot \hat Y)\,\mathbf{1}\mathbf{1}^{\top}\bigr)|(dY ⊙ Ŷ)·11ᵀ)⟧`);
    case 'loss.softmax_ce':
      return render(op, String.raw`{Ŷ} = ${op1('softmax')}({Z})${SEP}{L} = ⟦-\tfrac{1}{m}\textstyle\sum|−(1/m) Σ ⟧{y}⟦\ln \hat Y| · ln Ŷ⟧`);
    case 'loss.softmax_ce.grad':
      return render(op, String.raw`{Ŷ} = ${op1('softmax')}({Z})${SEP}{L} = ⟦-\tfrac{1}{m}\textstyle\sum|−(1/m) Σ ⟧{y}⟦\ln \hat Y| · ln Ŷ⟧${SEP}{dZ} = (\hat Y ${MINUS} y)/m`.replace(String.raw`(\hat Y`, String.raw`(⟦\hat Y|Ŷ⟧`));
    case 'loss.softmax_ce.backward':
      return render(op, `{dZ} = ({Ŷ} ${MINUS} {y})/m`);
    case 'loss.cross_entropy':
      return render(op, String.raw`{L} = ⟦-\tfrac{1}{m}\textstyle\sum|−(1/m) Σ ⟧{y}⟦\,\ln| · ln ⟧{Ŷ}`);
    case 'loss.cross_entropy.backward':
      return render(op, String.raw`{dŶ} = ⟦-|−⟧{y} / (m⟦\,| · ⟧{Ŷ})`);
    case 'loss.mse':
      return render(op, String.raw`{L} = ⟦\tfrac{1}{2m}\textstyle\sum|(1/2m) Σ ⟧({Ŷ} ${MINUS} {y})⟦^2|²⟧`);
    case 'loss.mse.backward':
      return render(op, `{dŶ} = ({Ŷ} ${MINUS} {y})/m`);
    case 'conv2d.forward':
      return render(op, String.raw`{Y} = $act({X} ⟦\ast| ∗ ⟧ {W} + ${ONE}{b})${convNote}`, extra);
    case 'conv2d.backward':
    case 'conv2d.backward.dact': {
      const wt = String.raw`⟦W_{\text{flat}}^{\top}|W_flatᵀ⟧`;
      const dx = find(op, 'dX')
        ? `${SEP}{dX} = ${op1('col2im')}({dZ}${DOT}${wt})`
        : find(op, 'dZ_below')
          ? `${SEP}{dZ_below} = ${op1('col2im')}({dZ}${DOT}${wt})${HAD}$dact({Y_below})`
          : '';
      return render(op, String.raw`{dW} = ⟦\operatorname{cols}^{\top}|colsᵀ⟧${DOT}{dZ}${SEP}{db} = ⟦\mathbf{1}^{\top}|1ᵀ·⟧{dZ}${dx}${convNote}`, extra);
    }
    case 'conv2d.im2col':
      return render(op, `{cols} = ${op1('im2col')}({X})`);
    case 'conv2d.col2im':
      return render(op, `{dX} = ${op1('col2im')}({cols})`);
    case 'pool2d.forward.max':
      return render(op, String.raw`{Y} = ⟦\max_{\text{window}}|max over each window of ⟧ {X}${SEP}{argmax}${convNote}`);
    case 'pool2d.forward.avg':
      return render(op, String.raw`{Y} = ⟦\operatorname{mean}_{\text{window}}|mean over each window of ⟧ {X}${convNote}`);
    case 'pool2d.backward.max':
    case 'pool2d.backward.max.dact':
      return render(op, String.raw`${below} = ⟦\operatorname{scatter}|scatter⟧({dY} ⟦\to| → ⟧ {argmax})`);
    case 'pool2d.backward.avg':
    case 'pool2d.backward.avg.dact':
      return render(op, String.raw`${below} = ⟦\operatorname{spread}|spread⟧({dY}) / ⟦(k_h k_w)|(kh·kw)⟧`);
    case 'flatten.forward':
      return render(op, `{Y} = ${op1('reshape')}({X})`);
    case 'flatten.backward':
      return render(op, `{dX} = ${op1('reshape')}({dY})`);
    case 'tensor.assign':
      return render(op, `{dst}${ARROW}{src}`);
    case 'sgd.update':
      return find(op, 'velocity', 'out')
        ? render(op, String.raw`{velocity:out}${ARROW}⟦\mu\,|μ·⟧v ${MINUS} $lr${DOT}{g}${SEP}{p:out}${ARROW}p + v`, extra)
        : render(op, `{p:out}${ARROW}{p:in} ${MINUS} $lr${DOT}{g}`, extra);
    case 'adam.update':
      return render(op, String.raw`{p:out}${ARROW}p ${MINUS} $lr⟦\,\hat m/(\sqrt{\hat v}+\varepsilon)| · m̂/(√v̂ + ε)⟧ ⟦\quad\text{from}| from ⟧ {g}`, extra);
    default: {
      const outs = op.outputs.map((t) => `{${t.role}}`).join(', ');
      const ins = op.inputs.map((t) => `{${t.role}}`).join(', ');
      return render(op, `${outs} = ${op1(op.op)}(${ins})`);
    }
  }
}

/** a short name for the timeline, e.g. "Z = XW + 1b" */
export function shortLabel(op: TraceOp): string {
  switch (op.equation) {
    case 'fc.forward':
      return `Y = ${act(op.args.activation).text || 'σ'}(XW + 1b)`;
    case 'fc.logits':
      return 'Z = XW + 1b';
    case 'fc.backward.dW':
      return 'dW = Xᵀ dZ';
    case 'fc.backward.db':
      return 'db = 1ᵀ dZ';
    case 'fc.backward.dX':
      return 'dX = dZ Wᵀ';
    case 'fc.backward.dX.dact':
      return "dZ↓ = dZ Wᵀ ⊙ σ'";
    case 'fc.backward.dWdb':
      return '[dW; db]';
    case 'activation.forward':
      return `Y = ${act(op.args.activation).text || 'σ'}(Z)`;
    case 'activation.backward':
      return `dZ = dY ⊙ ${act(op.args.activation).text || 'σ'}'`;
    case 'softmax.forward':
      return 'Ŷ = softmax(Z)';
    case 'softmax.backward':
      return 'softmax JVP';
    case 'loss.softmax_ce':
      return 'L = CE(softmax(Z))';
    case 'loss.softmax_ce.grad':
      return 'L and dZ = (Ŷ − y)/m';
    case 'loss.softmax_ce.backward':
      return 'dZ = (Ŷ − y)/m';
    case 'loss.cross_entropy':
      return 'L = −Σ y ln Ŷ / m';
    case 'loss.cross_entropy.backward':
      return 'dŶ = −y/(mŶ)';
    case 'loss.mse':
      return 'L = Σ(Ŷ − y)²/2m';
    case 'loss.mse.backward':
      return 'dŶ = (Ŷ − y)/m';
    case 'conv2d.forward':
      return 'Y = σ(X ∗ W + b)';
    case 'conv2d.backward':
    case 'conv2d.backward.dact':
      // the first layer computes no dX
      return op.outputs.map((t) => (t.role === 'dZ_below' ? 'dZ↓' : t.role)).join(', ');
    case 'pool2d.forward.max':
      return 'max pool';
    case 'pool2d.forward.avg':
      return 'average pool';
    case 'pool2d.backward.max':
    case 'pool2d.backward.max.dact':
      return 'dX at arg-max';
    case 'pool2d.backward.avg':
    case 'pool2d.backward.avg.dact':
      return 'dX spread';
    case 'flatten.forward':
      return 'flatten';
    case 'flatten.backward':
      return 'unflatten';
    case 'sgd.update': {
      const p = op.inputs.find((t) => t.role === 'p');
      return `SGD ${p ? p.label.slice(p.label.lastIndexOf('.') + 1) : 'p'}`;
    }
    case 'adam.update':
      return 'Adam';
    default:
      return op.op;
  }
}
