// Chapter 2, as a student uses it: every cell runs on the page's WebGPU device and
// agrees with the float64 reference; the step-through steps with buttons and keys; the
// gradient check passes, and fails on the fragile −Y/Ŷ with a confidently wrong batch;
// the per-sample softmax loop agrees but costs one kernel per row and more; the seed
// lives in the URL.

import type { Page } from '@playwright/test';
import { expect, test, waitForDevice } from './fixtures';

/** cells compute once they come near the viewport */
async function show(page: Page, id: string) {
  const cell = page.locator(`#${id}`);
  await cell.scrollIntoViewIfNeeded();
  return cell;
}

async function open(page: Page, query = '') {
  await page.goto(`/?ch=layers${query}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Layers' })).toBeVisible();
  await waitForDevice(page);
}

/** the 14 operations of one course-path step of the 4 → 5 → 3 network on 6 examples */
const SMALL_STEP = [
  'Y (6, 5) = ReLU(X (6, 4) · W (4, 5) + 1·b (1, 5))',
  'Z (6, 3) = X (6, 5) · W (5, 3) + 1·b (1, 3)',
  'Ŷ (6, 3) = softmax(Z (6, 3)), L (1) = −(1/m) Σ y (6, 3) · ln Ŷ',
  'dZ (6, 3) = (Ŷ (6, 3) − y (6, 3))/m',
  'dW (5, 3) = X (6, 5)ᵀ · dZ (6, 3)',
  'db (1, 3) = 1ᵀ·dZ (6, 3)',
  'dX (6, 5) = dZ (6, 3) · W (5, 3)ᵀ',
  'dZ (6, 5) = dY (6, 5) ⊙ 1[Y (6, 5) > 0]',
  'dW (4, 5) = X (6, 4)ᵀ · dZ (6, 5)',
  'db (1, 5) = 1ᵀ·dZ (6, 5)',
  'p (4, 5) ← p (4, 5) − 0.1 · g (4, 5)',
  'p (1, 5) ← p (1, 5) − 0.1 · g (1, 5)',
  'p (5, 3) ← p (5, 3) − 0.1 · g (5, 3)',
  'p (1, 3) ← p (1, 3) − 0.1 · g (1, 3)',
];

test('the step-through steps with its buttons, the timeline and the arrow keys, showing the shapes of each op', async ({ page }) => {
  await open(page);
  const cell = await show(page, 'layers-step-through');
  const position = cell.getByTestId('st-position');
  const shapes = cell.getByTestId('st-shapes');
  await expect(position).toHaveText(/Step 1 of 14 · forward · fc_0/, { timeout: 60_000 });
  await expect(shapes).toHaveText(SMALL_STEP[0]!);
  await expect(cell.getByRole('button', { name: 'Step back' })).toBeDisabled();

  // buttons: every step in turn, forward
  for (let i = 1; i < SMALL_STEP.length; i++) {
    await cell.getByRole('button', { name: 'Step forward' }).click();
    await expect(position).toHaveText(new RegExp(`^Step ${i + 1} of 14`));
    await expect(shapes).toHaveText(SMALL_STEP[i]!);
  }
  await expect(cell.getByRole('button', { name: 'Step forward' })).toBeDisabled();
  await cell.getByRole('button', { name: 'Step back' }).click();
  await expect(position).toHaveText(/^Step 13 of 14 · update · fc_1/);
  await expect(shapes).toHaveText(SMALL_STEP[12]!);

  // keys, with the focus inside the step-through
  const region = page.getByRole('group', { name: /Step-through of one training step of the 4 → 5 → 3 network/ });
  await region.focus();
  await page.keyboard.press('Home');
  await expect(position).toHaveText(/^Step 1 of 14/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(position).toHaveText(/^Step 3 of 14 · loss/);
  await expect(shapes).toHaveText(SMALL_STEP[2]!);
  await page.keyboard.press('ArrowLeft');
  await expect(position).toHaveText(/^Step 2 of 14 · forward · fc_1/);
  await page.keyboard.press('End');
  await expect(position).toHaveText(/^Step 14 of 14/);

  // a heatmap reads out the value under the pointer
  await page.keyboard.press('Home');
  const x = cell.getByTestId('st-in-X');
  await x.locator('canvas').hover({ position: { x: 5, y: 5 } });
  await expect(x.locator('.heatmap-readout')).toHaveText(/^X\[0, 0\] = -?\d/);

  // the timeline: a click jumps there and marks it current
  const op8 = cell.getByRole('button', { name: /^Operation 8\b/ });
  await op8.click();
  await expect(op8).toHaveAttribute('aria-current', 'step');
  await expect(position).toHaveText(/^Step 8 of 14 · backward · fc_0/);
  // the tensors of that op, with their shapes
  await expect(cell.getByTestId('st-in-dY').locator('.shape-label')).toHaveText('dY (6, 5)');
  await expect(cell.getByTestId('st-out-dZ').locator('.shape-label')).toHaveText('dZ (6, 5)');
  // the layer is highlighted in the diagram
  await expect(cell.getByRole('list', { name: 'Network' }).locator('li[aria-current="true"]')).toContainText('fc_0');

  // run to end plays the remaining steps
  await cell.getByRole('button', { name: 'Step back' }).click();
  await cell.getByRole('button', { name: 'Run to end' }).click();
  await expect(position).toHaveText(/^Step 14 of 14 · update/, { timeout: 15_000 });
  await expect(cell.getByRole('button', { name: 'Run to end' })).toBeDisabled();
});

test('every cell runs on WebGPU and agrees with float64; the gradient check fails on −Y/Ŷ with a confidently wrong prediction', async ({ page }) => {
  await open(page);
  const step = await show(page, 'layers-step-through');
  await expect(step.getByTestId('st-position')).toHaveText(/Step 1 of 14/, { timeout: 60_000 });
  await expect(step.getByText(/14 operations on WebGPU/)).toBeVisible();
  // the kernel the first op dispatched, with its entry point marked (the tiled kernel, or
  // the register-blocked one the engine picks on software adapters)
  await expect(step.getByText(/^shaders\/matmul\.wgsl · entry point matmul(_registers)?$/)).toBeVisible();
  await expect(step.locator('.code-line.st-entry').first()).toContainText('@compute');

  const gc = await show(page, 'layers-gradcheck-cell');
  await expect(gc.getByTestId('gradcheck-summary')).toContainText('PASS');
  await expect(gc.getByTestId('gradcheck-table').locator('tbody tr')).toHaveCount(4);
  await expect(gc.getByTestId('gradcheck-table').locator('tbody tr.gc-pass')).toHaveCount(4);

  const loss = await show(page, 'layers-loss-paths');
  await expect(loss.getByTestId('loss-paths-table').locator('tbody tr.gc-pass')).toHaveCount(3);

  const jvp = await show(page, 'layers-softmax-jvp');
  await expect(jvp.getByTestId('jvp-vectorized')).toContainText('agrees');
  await expect(page.locator('main .math-error')).toHaveCount(0);

  const summary = gc.getByTestId('gradcheck-summary');
  await expect(summary).toHaveAttribute('data-config', 'fused|ok');
  await expect(summary).toHaveClass(/pass/);

  // the unfused path on an ordinary batch: same gradients
  await gc.getByLabel('Loss gradient').selectOption('unfused');
  await expect(summary).toHaveAttribute('data-config', 'unfused|ok');
  await expect(summary).toContainText('PASS');

  // the what-goes-wrong toggle: a confidently wrong row makes ŷ = 0; −Y/Ŷ would be −∞, the
  // kernel clamps ŷ, so the gradient is finite and wrong
  await gc.getByLabel(/A confidently wrong prediction/).check();
  await expect(summary).toHaveAttribute('data-config', 'unfused|wrong');
  await expect(summary).toContainText('FAIL');
  await expect(summary).toHaveClass(/fail/);
  await expect(summary.getByTestId('gradcheck-worst')).toHaveText(/^\d\.\de[+-]\d+$/);
  await expect(gc).toContainText('The kernel clamps');
  await expect(gc.getByTestId('gradcheck-table').locator('tbody tr.gc-fail')).toHaveCount(4);
  await expect(gc.getByTestId('gradcheck-table')).not.toContainText('NaN');

  // the fused gradient on the same batch is fine
  await gc.getByLabel('Loss gradient').selectOption('fused');
  await expect(summary).toHaveAttribute('data-config', 'fused|wrong');
  await expect(summary).toContainText('PASS');
  await expect(gc.getByTestId('gradcheck-table').locator('tbody tr.gc-pass')).toHaveCount(4);
});

test('fused and unfused agree until ŷ underflows in float32', async ({ page }) => {
  await open(page);
  const cell = await show(page, 'layers-loss-paths');
  const unfused = cell.getByTestId('loss-paths-unfused');
  await cell.getByRole('button', { name: '20', exact: true }).click();
  await expect(unfused).toHaveClass(/gc-pass/, { timeout: 60_000 });
  await cell.getByRole('button', { name: '200', exact: true }).click();
  await expect(cell.getByRole('slider', { name: 'Logit gap' })).toHaveAttribute('aria-valuetext', '200');
  await expect(unfused).toHaveClass(/gc-fail/);
  // ŷ clamped at the smallest normal float: a finite gradient that is off, and the loss ∞
  await expect(unfused).toContainText('off');
  await expect(cell).toContainText('The kernel clamps ŷ at the smallest normal number');
  await expect(cell.getByLabel('True-class probability on the backend')).toHaveText('0');
  // the fused row still agrees with float64
  await expect(cell.getByTestId('loss-paths-table').locator('tbody tr').first()).toHaveClass(/gc-pass/);
  await expect(cell).not.toContainText('NaN');
});

test('the per-sample Jacobian loop agrees with the vectorized kernel and dispatches 3 kernels per row', async ({ page }) => {
  await open(page);
  const cell = await show(page, 'layers-softmax-jvp');
  const rows = cell.getByLabel('Rows');
  await rows.fill('16');
  await rows.press('Enter');
  await cell.getByLabel('Also run the per-sample Jacobian loop').check();
  const loop = cell.getByTestId('jvp-loop');
  await expect(loop).toContainText('agrees', { timeout: 60_000 });
  // 3 dispatches and 1 readback per row against 1 and 1; the times are shown, not asserted
  await expect(loop.locator('td').nth(0)).toHaveText('48');
  await expect(loop.locator('td').nth(1)).toHaveText('16');
  const vectorized = cell.getByTestId('jvp-vectorized');
  await expect(vectorized.locator('td').nth(0)).toHaveText('1');
  await expect(vectorized.locator('td').nth(1)).toHaveText('1');
  for (const ms of [cell.getByTestId('jvp-loop-ms'), cell.getByTestId('jvp-vectorized-ms')]) {
    expect(Number(await ms.textContent())).toBeGreaterThan(0);
  }
  await expect(cell.getByTestId('jvp-ratio')).toContainText('Same gradient');
  await expect(cell.getByTestId('jvp-ratio')).toContainText('launches 48 kernels and waits for 16 readbacks');
});

test('the seed and settings live in the URL and survive a reload', async ({ page }) => {
  await open(page);
  const cell = await show(page, 'layers-step-through');
  await expect(cell.getByTestId('st-position')).toHaveText(/Step 1 of 14/, { timeout: 60_000 });
  const loss = cell.getByLabel('Loss of the traced step');
  const before = await loss.textContent();
  await cell.getByRole('button', { name: 'New batch and weights' }).click();
  await expect(cell.getByLabel('Seed')).toHaveValue('2');
  await expect(loss).not.toHaveText(before!);
  await cell.getByLabel('Hidden activation').selectOption('tanh');
  await expect(cell.getByTestId('st-shapes')).toHaveText('Y (6, 5) = tanh(X (6, 4) · W (4, 5) + 1·b (1, 5))');
  await expect(cell.getByText('Tracing one training step…')).toHaveCount(0);
  await expect.poll(() => new URL(page.url()).searchParams.get('layers.seed')).toBe('2');
  await expect.poll(() => new URL(page.url()).searchParams.get('layers.act')).toBe('tanh');
  const after = await loss.textContent();
  await page.reload();
  await waitForDevice(page);
  await cell.scrollIntoViewIfNeeded();
  await expect(cell.getByLabel('Seed')).toHaveValue('2');
  await expect(cell.getByLabel('Hidden activation')).toHaveValue('tanh');
  await expect(loss).toHaveText(after!, { timeout: 60_000 });
  await expect(cell.getByTestId('st-shapes')).toHaveText('Y (6, 5) = tanh(X (6, 4) · W (4, 5) + 1·b (1, 5))');
});

test('without WebGPU the cells run on the CPU reference and say so', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await open(page);
  const cell = await show(page, 'layers-step-through');
  await expect(cell.getByText(/14 operations on the CPU reference/)).toBeVisible({ timeout: 60_000 });
  await expect(cell.getByTestId('st-no-kernel')).toContainText('no shader ran');
  const gc = await show(page, 'layers-gradcheck-cell');
  await expect(gc.getByTestId('gradcheck-summary')).toContainText('PASS');
});

test('the dense layer and the activation curves run on the GPU and agree with float64', async ({ page }) => {
  await open(page, '&layers.dm=3&layers.dd=2&layers.dn=4');
  const dense = await show(page, 'layers-dense');
  await expect(dense.getByTestId('dense-verdict')).toContainText('Z agrees with the float64 reference');
  // the kernel that ran is named with its file
  await expect(dense.getByTestId('dense-kernels')).toContainText('shaders/matmul.wgsl');
  // the sizes come from the URL, and a changed size recomputes Z with the new shape
  await expect(dense.getByText('Z (3, 4)', { exact: true })).toBeVisible();
  await dense.getByLabel('Outputs n').fill('6');
  await dense.getByLabel('Outputs n').press('Enter');
  await expect(dense.getByText('Z (3, 6)', { exact: true })).toBeVisible();
  await expect(dense.getByTestId('dense-verdict')).toContainText('Z agrees with the float64 reference');

  const curves = await show(page, 'layers-activation-curves');
  for (const act of ['relu', 'sigmoid', 'tanh']) {
    await expect(curves.getByTestId(`act-${act}`)).toContainText('agrees with float64');
  }
  await expect(curves.getByTestId('act-verdict')).toContainText('shaders/elementwise.wgsl');
});
