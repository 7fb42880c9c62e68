// The equations of the course, by id: what each op of a training step computes, in the
// course's notation (row-major, batch first) — one table for the tracer (src/train/trace.ts
// picks the id of each op it records from the op, its phase and its arguments) and for the
// step-through, which writes each equation with the shapes that took part.
// Pure data: no engine import, so the notebook's pages may read it as it is.
//
// Each entry has
//   text       the equation as a line of text
//   withShapes templates, the first whose `when` holds: `has` a role among the op's tensors
//              (role:in / role:out for one side), or the op's `activation` argument. In a
//              template a role in braces ({X}, {p:out}) is that tensor, written with its
//              shape; ⟦tex|text⟧ is written one way in TeX and another in text; $act, $dact
//              (the activation and its derivative), $lr (the learning rate) and $conv
//              (stride and padding) come from the op's arguments
//   short      the timeline's name of the op ($act: its activation, σ when it has none;
//              $param: the parameter updated; $outputs: the gradients it made); null: the
//              op's method name

export interface EquationVariant {
  when?: { has?: string; activation?: string };
  template: string;
}

export interface EquationEntry {
  text: string;
  withShapes: readonly EquationVariant[];
  short: string | null;
}

const ONE = String.raw`⟦\mathbf{1}\,|1·⟧`;
const DOT = String.raw`⟦\,| · ⟧`;
const T = String.raw`⟦^{\top}|ᵀ⟧`;
const HAD = String.raw`⟦\odot| ⊙ ⟧`;
const MINUS = String.raw`⟦-| − ⟧`;
const ARROW = String.raw`⟦\leftarrow | ← ⟧`;
const SEP = String.raw`,⟦\quad| ⟧`;
const op1 = (name: string) => String.raw`⟦\operatorname{${name}}|${name}⟧`;
const WT = String.raw`⟦W_{\text{flat}}^{\top}|W_flatᵀ⟧`;
const CONV_DWDB = String.raw`{dW} = ⟦\operatorname{cols}^{\top}|colsᵀ⟧${DOT}{dZ}${SEP}{db} = ⟦\mathbf{1}^{\top}|1ᵀ·⟧{dZ}`;

export const EQUATION_TABLE: Readonly<Record<string, EquationEntry>> = {
  'fc.forward': {
    text: 'Y = σ(X·W + 1b)   X (m, n_in), W (n_in, n_out), b (1, n_out)',
    withShapes: [
      { template: `{Y} = $act({X}${DOT}{W} + ${ONE}{b})` },
    ],
    short: 'Y = $act(XW + 1b)',
  },
  'fc.logits': {
    text: 'Z = X·W + 1b',
    withShapes: [
      { when: { has: 'b' }, template: `{Z} = {X}${DOT}{W} + ${ONE}{b}` },
      { template: `{Z} = {X}${DOT}{W}` },
    ],
    short: 'Z = XW + 1b',
  },
  'fc.backward.dW': {
    text: 'dW = Xᵀ·dZ',
    withShapes: [
      { template: `{dW} = {X}${T}${DOT}{dZ}` },
    ],
    short: 'dW = Xᵀ dZ',
  },
  'fc.backward.db': {
    text: 'db = 1ᵀ·dZ (column sums)',
    withShapes: [
      { template: String.raw`{db} = ⟦\mathbf{1}^{\top}|1ᵀ·⟧{dZ}` },
    ],
    short: 'db = 1ᵀ dZ',
  },
  'fc.backward.dX': {
    text: 'dX = dZ·Wᵀ',
    withShapes: [
      { template: `{dX} = {dZ}${DOT}{W}${T}` },
    ],
    short: 'dX = dZ Wᵀ',
  },
  'fc.backward.dX.dact': {
    text: "dZ_below = (dZ·Wᵀ) ⊙ σ'(Y_below): dX and the activation derivative of the layer below in one kernel",
    withShapes: [
      { template: `{dZ_below} = ({dZ}${DOT}{W}${T})${HAD}$dact({Y_below})` },
    ],
    short: "dZ↓ = dZ Wᵀ ⊙ σ'",
  },
  'fc.backward.dWdb': {
    text: '[dW; db] = [X 1]ᵀ·dZ: dW = Xᵀ·dZ and db = 1ᵀ·dZ in one pass',
    withShapes: [
      { template: String.raw`{dW} = {X}${T}${DOT}{dZ}${SEP}{db} = ⟦\mathbf{1}^{\top}|1ᵀ·⟧{dZ}` },
    ],
    short: '[dW; db]',
  },
  'activation.forward': {
    text: 'Y = σ(Z)',
    withShapes: [
      { when: { has: 'b' }, template: `{Y} = $act({X} + ${ONE}{b})` },
      { template: `{Y} = $act({X})` },
    ],
    short: 'Y = $act(Z)',
  },
  'activation.backward': {
    text: "dZ = dY ⊙ σ'(Z), written with Y: relu [Y > 0], sigmoid Y(1 − Y), tanh 1 − Y²",
    withShapes: [
      { when: { activation: 'relu' }, template: String.raw`{dZ} = {dY}${HAD}⟦\mathbb{1}[|1[⟧{Y:in} > 0⟦]|]⟧` },
      { when: { activation: 'sigmoid' }, template: `{dZ} = {dY}${HAD}{Y:in}(1 ${MINUS} Y)` },
      { when: { activation: 'tanh' }, template: String.raw`{dZ} = {dY}${HAD}(1 ${MINUS} {Y:in}⟦^2|²⟧)` },
      { template: String.raw`{dZ} = {dY}${HAD}⟦\sigma'|σ'⟧({Y:in})` },
    ],
    short: "dZ = dY ⊙ $act'",
  },
  'softmax.forward': {
    text: 'σ(z)_k = e^{z_k − max z} / Σ_j e^{z_j − max z}, per row',
    withShapes: [
      { template: `{Ŷ} = ${op1('softmax')}({Z})` },
    ],
    short: 'Ŷ = softmax(Z)',
  },
  'softmax.backward': {
    text: 'dZ = σ ⊙ (dY − Σ_k dY_k σ_k), per row',
    withShapes: [
      { template: String.raw`{dZ} = {σ}${HAD}⟦\bigl(|(⟧{dY} ${MINUS} ⟦(\mathrm{d}Y \odot \hat Y)\,\mathbf{1}\mathbf{1}^{\top}\bigr)|(dY ⊙ Ŷ)·11ᵀ)⟧` },
    ],
    short: 'softmax JVP',
  },
  'loss.softmax_ce': {
    text: 'Ŷ = softmax(Z); L = −(1/m) Σ_i Σ_k y_ik · ln Ŷ_ik (log-sum-exp form)',
    withShapes: [
      { template: String.raw`{Ŷ} = ${op1('softmax')}({Z})${SEP}{L} = ⟦-\tfrac{1}{m}\textstyle\sum|−(1/m) Σ ⟧{y}⟦\ln \hat Y| · ln Ŷ⟧` },
    ],
    short: 'L = CE(softmax(Z))',
  },
  'loss.softmax_ce.backward': {
    text: 'dZ = (Ŷ − y)/m',
    withShapes: [
      { template: `{dZ} = ({Ŷ} ${MINUS} {y})/m` },
    ],
    short: 'dZ = (Ŷ − y)/m',
  },
  'loss.softmax_ce.grad': {
    text: 'Ŷ = softmax(Z); L = −(1/m) Σ_i Σ_k y_ik · ln Ŷ_ik; dZ = (Ŷ − y)/m, all in one kernel',
    withShapes: [
      { template: String.raw`{Ŷ} = ${op1('softmax')}({Z})${SEP}{L} = ⟦-\tfrac{1}{m}\textstyle\sum|−(1/m) Σ ⟧{y}⟦\ln \hat Y| · ln Ŷ⟧${SEP}{dZ} = (⟦\hat Y|Ŷ⟧ ${MINUS} y)/m` },
    ],
    short: 'L and dZ = (Ŷ − y)/m',
  },
  'loss.cross_entropy': {
    text: 'L = −(1/m) Σ_i Σ_k y_ik · ln ŷ_ik',
    withShapes: [
      { template: String.raw`{L} = ⟦-\tfrac{1}{m}\textstyle\sum|−(1/m) Σ ⟧{y}⟦\,\ln| · ln ⟧{Ŷ}` },
    ],
    short: 'L = −Σ y ln Ŷ / m',
  },
  'loss.cross_entropy.backward': {
    text: 'dŶ = −y / (m · Ŷ)',
    withShapes: [
      { template: String.raw`{dŶ} = ⟦-|−⟧{y} / (m⟦\,| · ⟧{Ŷ})` },
    ],
    short: 'dŶ = −y/(mŶ)',
  },
  'loss.mse': {
    text: 'L = (1/2m) Σ_i Σ_j (ŷ_ij − y_ij)²',
    withShapes: [
      { template: String.raw`{L} = ⟦\tfrac{1}{2m}\textstyle\sum|(1/2m) Σ ⟧({Ŷ} ${MINUS} {y})⟦^2|²⟧` },
    ],
    short: 'L = Σ(Ŷ − y)²/2m',
  },
  'loss.mse.backward': {
    text: 'dŶ = (Ŷ − y)/m',
    withShapes: [
      { template: `{dŶ} = ({Ŷ} ${MINUS} {y})/m` },
    ],
    short: 'dŶ = (Ŷ − y)/m',
  },
  'conv2d.forward': {
    text: 'Z[n,d1,d2,f] = Σ_i Σ_j Σ_c W[i,j,c,f]·Xpad[n, d1·s+i, d2·s+j, c] + b[f]; Y = σ(Z)',
    withShapes: [
      { template: String.raw`{Y} = $act({X} ⟦\ast| ∗ ⟧ {W} + ${ONE}{b})$conv` },
    ],
    short: 'Y = σ(X ∗ W + b)',
  },
  'conv2d.backward': {
    text: 'dW = colsᵀ·dZ, db = Σ dZ, dX = col2im(dZ·Wᵀ)   (cols = im2col(X))',
    withShapes: [
      { when: { has: 'dX' }, template: String.raw`${CONV_DWDB}${SEP}{dX} = ${op1('col2im')}({dZ}${DOT}${WT})$conv` },
      { when: { has: 'dZ_below' }, template: String.raw`${CONV_DWDB}${SEP}{dZ_below} = ${op1('col2im')}({dZ}${DOT}${WT})${HAD}$dact({Y_below})$conv` },
      { template: String.raw`${CONV_DWDB}$conv` },
    ],
    short: '$outputs',
  },
  'conv2d.backward.dact': {
    text: "dW = colsᵀ·dZ, db = Σ dZ, dZ_below = col2im(dZ·Wᵀ) ⊙ σ'(Y_below)",
    withShapes: [
      { when: { has: 'dX' }, template: String.raw`${CONV_DWDB}${SEP}{dX} = ${op1('col2im')}({dZ}${DOT}${WT})$conv` },
      { when: { has: 'dZ_below' }, template: String.raw`${CONV_DWDB}${SEP}{dZ_below} = ${op1('col2im')}({dZ}${DOT}${WT})${HAD}$dact({Y_below})$conv` },
      { template: String.raw`${CONV_DWDB}$conv` },
    ],
    short: '$outputs',
  },
  'conv2d.im2col': {
    text: 'cols[(n,d1,d2), (i·kw + j)·C + c] = Xpad[n, d1·s+i, d2·s+j, c]',
    withShapes: [
      { template: `{cols} = ${op1('im2col')}({X})` },
    ],
    short: null,
  },
  'conv2d.col2im': {
    text: 'dX = Σ over overlapping patches of dcols (the adjoint of im2col)',
    withShapes: [
      { template: `{dX} = ${op1('col2im')}({cols})` },
    ],
    short: null,
  },
  'pool2d.forward.max': {
    text: 'Y[n,d1,d2,c] = max over the kh×kw window of Xpad',
    withShapes: [
      { template: String.raw`{Y} = ⟦\max_{\text{window}}|max over each window of ⟧ {X}${SEP}{argmax}$conv` },
    ],
    short: 'max pool',
  },
  'pool2d.forward.avg': {
    text: 'Y[n,d1,d2,c] = mean over the kh×kw window of Xpad',
    withShapes: [
      { template: String.raw`{Y} = ⟦\operatorname{mean}_{\text{window}}|mean over each window of ⟧ {X}$conv` },
    ],
    short: 'average pool',
  },
  'pool2d.backward.max': {
    text: 'dX gets dY at the arg-max of each window, 0 elsewhere',
    withShapes: [
      { when: { has: 'dZ_below' }, template: String.raw`{dZ_below} = ⟦\operatorname{scatter}|scatter⟧({dY} ⟦\to| → ⟧ {argmax})` },
      { template: String.raw`{dX} = ⟦\operatorname{scatter}|scatter⟧({dY} ⟦\to| → ⟧ {argmax})` },
    ],
    short: 'dX at arg-max',
  },
  'pool2d.backward.avg': {
    text: 'dX gets dY/(kh·kw) at every position of each window',
    withShapes: [
      { when: { has: 'dZ_below' }, template: String.raw`{dZ_below} = ⟦\operatorname{spread}|spread⟧({dY}) / ⟦(k_h k_w)|(kh·kw)⟧` },
      { template: String.raw`{dX} = ⟦\operatorname{spread}|spread⟧({dY}) / ⟦(k_h k_w)|(kh·kw)⟧` },
    ],
    short: 'dX spread',
  },
  'pool2d.backward.max.dact': {
    text: "dX gets dY at the arg-max of each window, times σ'(Y_below) there: the conv's dZ",
    withShapes: [
      { when: { has: 'dZ_below' }, template: String.raw`{dZ_below} = ⟦\operatorname{scatter}|scatter⟧({dY} ⟦\to| → ⟧ {argmax})` },
      { template: String.raw`{dX} = ⟦\operatorname{scatter}|scatter⟧({dY} ⟦\to| → ⟧ {argmax})` },
    ],
    short: 'dX at arg-max',
  },
  'pool2d.backward.avg.dact': {
    text: "dX gets dY/(kh·kw) at every position of each window, times σ'(Y_below)",
    withShapes: [
      { when: { has: 'dZ_below' }, template: String.raw`{dZ_below} = ⟦\operatorname{spread}|spread⟧({dY}) / ⟦(k_h k_w)|(kh·kw)⟧` },
      { template: String.raw`{dX} = ⟦\operatorname{spread}|spread⟧({dY}) / ⟦(k_h k_w)|(kh·kw)⟧` },
    ],
    short: 'dX spread',
  },
  'tensor.assign': {
    text: 'dst ← src (a copy, e.g. into a gradient arena)',
    withShapes: [
      { template: `{dst}${ARROW}{src}` },
    ],
    short: null,
  },
  'flatten.forward': {
    text: '(m, H, W, C) → (m, H·W·C), the same data',
    withShapes: [
      { template: `{Y} = ${op1('reshape')}({X})` },
    ],
    short: 'flatten',
  },
  'flatten.backward': {
    text: '(m, H·W·C) → (m, H, W, C), the same data',
    withShapes: [
      { template: `{dX} = ${op1('reshape')}({dY})` },
    ],
    short: 'unflatten',
  },
  'sgd.update': {
    text: 'v ← μ·v − lr·g;  p ← p + v   (μ = 0: p ← p − lr·g)',
    withShapes: [
      { when: { has: 'velocity:out' }, template: String.raw`{velocity:out}${ARROW}⟦\mu\,|μ·⟧v ${MINUS} $lr${DOT}{g}${SEP}{p:out}${ARROW}p + v` },
      { template: `{p:out}${ARROW}{p:in} ${MINUS} $lr${DOT}{g}` },
    ],
    short: 'SGD $param',
  },
  'adam.update': {
    text: 'm ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← p − lr·m̂/(√v̂ + ε)',
    withShapes: [
      { template: String.raw`{p:out}${ARROW}p ${MINUS} $lr⟦\,\hat m/(\sqrt{\hat v}+\varepsilon)| · m̂/(√v̂ + ε)⟧ ⟦\quad\text{from}| from ⟧ {g}` },
    ],
    short: 'Adam',
  },
};

/** id → the equation as a line of text */
export const EQUATIONS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(EQUATION_TABLE).map(([id, e]) => [id, e.text]));
