// The equations of the course, by id: what each op of a training step computes, in the
// course's notation (row-major, batch first). The step-through shows the one of each op it
// traced (src/train/trace.ts picks the id from the op, its phase and its arguments).
// Pure data: no engine import, so the notebook's pages may read it as it is.

/** The equations the notebook shows beside each op (course notation, row-major, batch first). */
export const EQUATIONS: Readonly<Record<string, string>> = {
  'fc.forward': 'Y = σ(X·W + 1b)   X (m, n_in), W (n_in, n_out), b (1, n_out)',
  'fc.logits': 'Z = X·W + 1b',
  'fc.backward.dW': 'dW = Xᵀ·dZ',
  'fc.backward.db': 'db = 1ᵀ·dZ (column sums)',
  'fc.backward.dX': 'dX = dZ·Wᵀ',
  'fc.backward.dX.dact': "dZ_below = (dZ·Wᵀ) ⊙ σ'(Y_below): dX and the activation derivative of the layer below in one kernel",
  'fc.backward.dWdb': '[dW; db] = [X 1]ᵀ·dZ: dW = Xᵀ·dZ and db = 1ᵀ·dZ in one pass',
  'activation.forward': 'Y = σ(Z)',
  'activation.backward': "dZ = dY ⊙ σ'(Z), written with Y: relu [Y > 0], sigmoid Y(1 − Y), tanh 1 − Y²",
  'softmax.forward': 'σ(z)_k = e^{z_k − max z} / Σ_j e^{z_j − max z}, per row',
  'softmax.backward': 'dZ = σ ⊙ (dY − Σ_k dY_k σ_k), per row',
  'loss.softmax_ce': 'Ŷ = softmax(Z); L = −(1/m) Σ_i Σ_k y_ik · ln Ŷ_ik (log-sum-exp form)',
  'loss.softmax_ce.backward': 'dZ = (Ŷ − y)/m',
  'loss.softmax_ce.grad': 'Ŷ = softmax(Z); L = −(1/m) Σ_i Σ_k y_ik · ln Ŷ_ik; dZ = (Ŷ − y)/m, all in one kernel',
  'loss.cross_entropy': 'L = −(1/m) Σ_i Σ_k y_ik · ln ŷ_ik',
  'loss.cross_entropy.backward': 'dŶ = −y / (m · Ŷ)',
  'loss.mse': 'L = (1/2m) Σ_i Σ_j (ŷ_ij − y_ij)²',
  'loss.mse.backward': 'dŶ = (Ŷ − y)/m',
  'conv2d.forward': 'Z[n,d1,d2,f] = Σ_i Σ_j Σ_c W[i,j,c,f]·Xpad[n, d1·s+i, d2·s+j, c] + b[f]; Y = σ(Z)',
  'conv2d.backward': 'dW = colsᵀ·dZ, db = Σ dZ, dX = col2im(dZ·Wᵀ)   (cols = im2col(X))',
  'conv2d.backward.dact': "dW = colsᵀ·dZ, db = Σ dZ, dZ_below = col2im(dZ·Wᵀ) ⊙ σ'(Y_below)",
  'conv2d.im2col': 'cols[(n,d1,d2), (i·kw + j)·C + c] = Xpad[n, d1·s+i, d2·s+j, c]',
  'conv2d.col2im': 'dX = Σ over overlapping patches of dcols (the adjoint of im2col)',
  'pool2d.forward.max': 'Y[n,d1,d2,c] = max over the kh×kw window of Xpad',
  'pool2d.forward.avg': 'Y[n,d1,d2,c] = mean over the kh×kw window of Xpad',
  'pool2d.backward.max': 'dX gets dY at the arg-max of each window, 0 elsewhere',
  'pool2d.backward.avg': 'dX gets dY/(kh·kw) at every position of each window',
  'pool2d.backward.max.dact': "dX gets dY at the arg-max of each window, times σ'(Y_below) there: the conv's dZ",
  'pool2d.backward.avg.dact': "dX gets dY/(kh·kw) at every position of each window, times σ'(Y_below)",
  'tensor.assign': 'dst ← src (a copy, e.g. into a gradient arena)',
  'flatten.forward': '(m, H, W, C) → (m, H·W·C), the same data',
  'flatten.backward': '(m, H·W·C) → (m, H, W, C), the same data',
  'sgd.update': 'v ← μ·v − lr·g;  p ← p + v   (μ = 0: p ← p − lr·g)',
  'adam.update': 'm ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← p − lr·m̂/(√v̂ + ε)',
};
