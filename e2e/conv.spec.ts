// Chapter 4, as a student uses it: im2col's shapes follow the chosen padding and stride,
// pointing at an output or a pixel highlights it everywhere, every kernel agrees with the
// float64 reference on WebGPU, the CNN step-through steps, the convolution's gradient
// check passes and fails on the broken layer, and pooling draws where its gradient goes.

import type { Page } from '@playwright/test';
import { expect, test, waitForDevice } from './fixtures';

/** cells compute once they come near the viewport */
async function show(page: Page, id: string) {
  const cell = page.locator(`#${id}`);
  await cell.scrollIntoViewIfNeeded();
  return cell;
}

async function open(page: Page, query = '') {
  await page.goto(`/?ch=conv${query}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Convolution and pooling' })).toBeVisible();
  await waitForDevice(page);
}

/** the expected im2col geometry for an n × n × 1 input, k × k kernel, 2 filters */
function geometry(n: number, k: number, s: number, pad: 'same' | 'valid' | number) {
  let before = 0;
  let after = 0;
  if (pad === 'same') {
    const out = Math.ceil(n / s);
    const total = Math.max((out - 1) * s + k - n, 0);
    before = Math.floor(total / 2);
    after = total - before;
  } else if (typeof pad === 'number') before = after = pad;
  const o = Math.floor((n + before + after - k) / s) + 1;
  return { o, padded: n + before + after, rows: o * o, kc: k * k };
}

test('im2col shapes follow the chosen kernel, stride and padding, and every result agrees with float64', async ({ page }) => {
  await open(page);
  const cell = await show(page, 'conv-im2col-cell');
  const cases: { k: number; s: number; pad: 'same' | 'valid' | number }[] = [
    { k: 3, s: 1, pad: 'same' },
    { k: 3, s: 2, pad: 'valid' },
    { k: 2, s: 2, pad: 'same' },
    { k: 3, s: 1, pad: 2 },
    { k: 1, s: 2, pad: 1 },
  ];
  for (const c of cases) {
    await cell.getByLabel('Kernel size').selectOption(String(c.k));
    await cell.getByLabel('Stride').selectOption(String(c.s));
    await cell.getByLabel('Padding').selectOption(String(c.pad));
    const g = geometry(5, c.k, c.s, c.pad);
    const label = `k ${c.k}, stride ${c.s}, pad ${c.pad}`;
    await expect(cell.getByTestId('im2col-shapes'), label).toHaveText(
      `X (1, 5, 5, 1) → cols (${g.rows}, ${g.kc}) · W_flat (${g.kc}, 2) + 1·b (1, 2) = Z_flat (${g.rows}, 2) → Z (1, ${g.o}, ${g.o}, 2)`,
    );
    await expect(cell.getByTestId('im2col-outsize'), label).toContainText(`= ${g.o}`);
    // the drawn matrices have those shapes too, once the backend has run
    await expect(cell.getByTestId('im2col-cols').locator('.shape-label'), label).toHaveText(`cols (${g.rows}, ${g.kc})`, { timeout: 60_000 });
    await expect(cell.getByTestId('im2col-xpad-0').locator('.shape-label'), label).toHaveText(`Xpad (${g.padded}, ${g.padded})`);
    await expect(cell.getByTestId('im2col-z-0').locator('.shape-label'), label).toHaveText(`Z[0, :, :, 0] (${g.o}, ${g.o})`);
    await expect(cell.getByTestId('im2col-dx-0').locator('.shape-label'), label).toHaveText('dX (5, 5)');
    await expect(cell.getByTestId('im2col-checks').locator('tbody tr.gc-pass'), label).toHaveCount(6);
  }
  await expect.poll(() => new URL(page.url()).searchParams.get('conv.k')).toBe('1');
});

test('pointing at an output or a pixel highlights its row, window and copies', async ({ page }) => {
  await open(page);
  const cell = await show(page, 'conv-im2col-cell');
  const readout = cell.getByTestId('im2col-readout');
  await expect(cell.getByTestId('im2col-checks').locator('tbody tr.gc-pass')).toHaveCount(6, { timeout: 60_000 });
  // output (1, 2) of the first feature map (5 × 5, 'same', stride 1): row 1·5 + 2 = 7 of cols
  const z = cell.getByTestId('im2col-z-0').locator('svg');
  const box = (await z.boundingBox())!;
  await z.hover({ position: { x: (2.5 / 5) * box.width, y: (1.5 / 5) * box.height } });
  await expect(readout).toContainText('(d1, d2) = (1, 2)');
  await expect(readout).toContainText('row 7 of cols');
  await expect(readout).toContainText('rows 1–3, columns 2–4');
  await expect(cell.getByTestId('im2col-cols').locator('rect.cg-strong')).toHaveCount(9);
  // an interior pixel of the padded input is copied into 9 entries of cols (3 × 3 windows cover it)
  const x = cell.getByTestId('im2col-xpad-0').locator('svg');
  const bx = (await x.boundingBox())!;
  await x.hover({ position: { x: (3.5 / 7) * bx.width, y: (3.5 / 7) * bx.height } });
  await expect(readout).toContainText('Padded pixel (3, 3)');
  await expect(readout).toContainText('copies it into 9 entries');
  await expect(cell.getByTestId('im2col-dcols').locator('rect.cg-strong')).toHaveCount(9);
  // and from the keyboard: the feature map is focusable, the arrows move the output
  await cell.getByRole('group', { name: 'Z[0, :, :, 0] (5, 5)' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(readout).toContainText('(d1, d2) = (0, 1)');
});

test('the CNN step-through steps forward and back with the buttons and the keys', async ({ page }) => {
  await open(page);
  const cell = await show(page, 'conv-step-through');
  const position = cell.getByTestId('st-position');
  const shapes = cell.getByTestId('st-shapes');
  await expect(position).toHaveText(/^Step 1 of \d+ · forward · conv2d_0/, { timeout: 60_000 });
  await expect(shapes).toHaveText('Y (2, 5, 5, 2) = ReLU(X (2, 5, 5, 1) ∗ W (3, 3, 1, 2) + 1·b (1, 2)) (stride 1, pad same)');
  // the course path: im2col then the matrix product
  await expect(cell.getByRole('button', { name: '1. im2col' })).toBeVisible();
  await cell.getByRole('button', { name: /^2\. matmul/ }).click();
  await expect(cell.getByText(/^shaders\/matmul\.wgsl · entry point matmul(_registers)?$/)).toBeVisible();
  await cell.getByRole('button', { name: 'Step forward' }).click();
  await expect(position).toHaveText(/^Step 2 of \d+ · forward · pool2d_1/);
  await expect(shapes).toHaveText('Y (2, 3, 3, 2) = max over each window of X (2, 5, 5, 2), argmax (2, 3, 3, 2) (stride 2, pad same)');
  await cell.getByRole('group', { name: /Step-through of one training step of the convolutional network/ }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(position).toHaveText(/^Step 3 of \d+ · forward · flatten_2/);
  await expect(shapes).toHaveText('Y (2, 18) = reshape(X (2, 3, 3, 2))');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(position).toHaveText(/^Step 1 of/);
  // the backward of the convolution: dW, db (first layer: no dX)
  await cell.getByRole('button', { name: /conv2d_0 dW, db$/ }).click();
  await expect(shapes).toHaveText('dW (3, 3, 1, 2) = colsᵀ · dZ (2, 5, 5, 2), db (1, 2) = 1ᵀ·dZ (2, 5, 5, 2) (stride 1, pad same)');
  // stride 2 in cell 4.2 changes the network's shapes
  await page.locator('#conv-im2col-cell').getByLabel('Stride').selectOption('2');
  await cell.getByRole('button', { name: /^Operation 1\b/ }).click();
  await expect(shapes).toHaveText('Y (2, 3, 3, 2) = ReLU(X (2, 5, 5, 1) ∗ W (3, 3, 1, 2) + 1·b (1, 2)) (stride 2, pad same)', { timeout: 60_000 });
});

test('the convolution gradient check passes, and fails on the broken layer', async ({ page }) => {
  await open(page);
  const cell = await show(page, 'conv-gradcheck');
  const summary = cell.getByTestId('gradcheck-summary');
  await expect(summary).toHaveAttribute('data-config', 'correct|k3 s1 same', { timeout: 60_000 });
  await expect(summary).toContainText('PASS');
  await expect(cell.getByTestId('gradcheck-table').locator('tbody tr.gc-pass')).toHaveCount(3);
  await cell.getByLabel('Activation inside the convolution loop, padded input cached as Z').check();
  await expect(summary).toHaveAttribute('data-config', 'broken|k3 s1 same');
  await expect(summary).toContainText('FAIL');
  await expect(summary).toHaveClass(/fail/);
  await expect(cell.getByTestId('gradcheck-table').locator('tbody tr.gc-fail')).toHaveCount(3);
  await expect.poll(() => new URL(page.url()).searchParams.get('conv.broken')).toBe('1');
  // other geometry, still broken; then fixed again
  await page.locator('#conv-im2col-cell').getByLabel('Padding').selectOption('valid');
  await expect(summary).toHaveAttribute('data-config', 'broken|k3 s1 valid');
  await expect(cell.getByTestId('gradcheck-table').locator('tbody tr.gc-fail')).toHaveCount(3);
  await cell.getByLabel('Activation inside the convolution loop, padded input cached as Z').uncheck();
  await expect(summary).toHaveAttribute('data-config', 'correct|k3 s1 valid');
  await expect(summary).toContainText('PASS');
});

test('pooling routes each gradient to its arg-max, or spreads it over the window', async ({ page }) => {
  await open(page);
  const cell = await show(page, 'conv-pool');
  const routes = cell.getByTestId('pool-route');
  // max, 2 × 2, stride 2 on 6 × 6: 9 outputs, one arrow each
  await expect(cell.getByTestId('pool-checks').locator('tbody tr.gc-pass')).toHaveCount(3, { timeout: 60_000 });
  await expect(routes).toHaveCount(9);
  await expect(cell.getByTestId('pool-readout')).toContainText('goes there and nowhere else');
  // overlapping windows: stride 1 gives 25 outputs, 25 arrows (some into the same pixel)
  await cell.getByLabel('Pool stride').selectOption('1');
  await expect(routes).toHaveCount(25);
  await expect(cell.getByTestId('pool-y').locator('.shape-label')).toHaveText('Y (5, 5)');
  // average: the chosen output spreads over its 2 × 2 window
  await cell.getByLabel('Pooling').selectOption('avg');
  await expect(cell.getByTestId('pool-checks').locator('tbody tr.gc-pass')).toHaveCount(2);
  await expect(routes).toHaveCount(4);
  await expect(cell.getByTestId('pool-readout')).toContainText('each of its 4 positions gets dY/4');
});

test('the kernel sources of chapter 4 are the registry files', async ({ page }) => {
  await open(page);
  const cell = await show(page, 'conv-kernels');
  for (const k of ['im2col', 'col2im', 'conv2d', 'conv_weight_grad', 'pool']) {
    await cell.getByLabel('Kernel file').selectOption(k);
    await expect(cell.getByLabel(`WGSL source of ${k}`)).toContainText('@compute');
  }
});

test('the convolution to poke: presets, an edited weight, and the window under the cursor', async ({ page }) => {
  await page.goto('/?ch=conv');
  await waitForDevice(page);
  const cell = page.locator('#conv-poke');
  await cell.scrollIntoViewIfNeeded();
  const sum = cell.getByTestId('poke-sum');
  await expect(cell.getByTestId('poke-verdict')).toContainText('agrees with float64');
  // the default point (3, 3) on a vertical-edge kernel: the written-out sum ends in its value
  await expect(sum).toContainText('Y[3, 3] =');
  // the identity preset copies the picture: Y[i, j] is the pixel at the window's centre
  await cell.getByLabel('Kernel preset').selectOption('identity');
  await expect(cell.getByTestId('poke-verdict')).toContainText('agrees with float64');
  await expect(sum).toHaveText(/= 1$/);
  // editing one weight makes it 'your own' kernel and recomputes
  await cell.getByLabel('W row 2, column 2').fill('3');
  await cell.getByLabel('W row 2, column 2').press('Enter');
  await expect(cell.getByLabel('Kernel preset')).toHaveValue('custom');
  await expect(sum).toHaveText(/= 3$/);
  await expect.poll(() => new URL(page.url()).searchParams.get('conv.ek')).toBe('0,0,0,0,3,0,0,0,0');
  // the arrow keys move the point over the output
  await cell.getByRole('group', { name: /^Y \(8, 8\)/ }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(sum).toContainText('Y[3, 2] =');
  // 'same' padding: a 10 × 10 output over a padded input
  await cell.getByLabel('Padding').selectOption('same');
  await expect(cell.getByRole('group', { name: /^Y \(10, 10\)/ })).toBeVisible();
  await expect(cell.getByText('X padded (12, 12)')).toBeVisible();
});
