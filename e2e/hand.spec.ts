// Chapter 1, as a student uses it: sliders redraw the function and every derivative,
// the derivatives match finite differences, training lowers the loss, and the page's
// state survives a reload.

import { derivativeValue, expect, test } from './fixtures';

test.beforeEach(async ({ page }) => {
  await page.goto('/?ch=hand');
  await expect(page.getByRole('heading', { level: 1, name: 'A network by hand' })).toBeVisible();
});

test('all 13 parameters have a labelled slider', async ({ page }) => {
  const names = [1, 2, 3, 4].flatMap((j) => [`w1[${j}]`, `b1[${j}]`, `w2[${j}]`]).concat('b2');
  for (const n of names) await expect(page.getByRole('slider', { name: n, exact: true })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Weights and biases' }).getByRole('slider')).toHaveCount(13);
});

test('moving a slider changes the drawn function and the derivative table', async ({ page }) => {
  const curve = page.getByTestId('network-function').first();
  const dYhat = derivativeValue(page, '∂L/∂ŷ');
  const dW1 = derivativeValue(page, '∂L/∂w1[1]');
  const pathBefore = await curve.getAttribute('d');
  const dYhatBefore = await dYhat.textContent();
  const dW1Before = await dW1.textContent();

  // keyboard, as a user would: focus w1[1] and step it up three times
  const slider = page.getByRole('slider', { name: 'w1[1]', exact: true });
  await slider.focus();
  await expect(slider).toHaveAttribute('aria-valuetext', '-1.00');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect(slider).toHaveAttribute('aria-valuetext', '-0.85');

  await expect(curve).not.toHaveAttribute('d', pathBefore!);
  await expect(dYhat).not.toHaveText(dYhatBefore!);
  await expect(dW1).not.toHaveText(dW1Before!);
});

test('every parameter derivative in the table matches its central finite difference', async ({ page }) => {
  // move to a point where several units are on, so the check is not trivially 0 = 0
  const x = page.getByRole('slider', { name: 'Chosen x' });
  await x.focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
  await expect(x).toHaveAttribute('aria-valuetext', /^8 /);
  const rows = page.getByRole('table', { name: /Every partial derivative/ }).locator('tbody tr');
  await expect(rows).toHaveCount(23);
  let checked = 0;
  let nonzero = 0;
  for (let i = 0; i < 23; i++) {
    const cells = rows.nth(i).getByRole('cell');
    const name = await rows.nth(i).getByRole('rowheader').textContent();
    const value = Number(await cells.nth(2).textContent());
    const fdText = (await cells.nth(3).textContent())!;
    if (fdText === '—') continue;
    const fd = Number(fdText);
    expect(Math.abs(value - fd), `${name}: backprop ${value}, finite difference ${fd}`).toBeLessThanOrEqual(1e-3 + 1e-3 * Math.abs(fd));
    checked++;
    if (value !== 0) nonzero++;
  }
  expect(checked).toBe(14); // 13 parameters and x
  expect(nonzero).toBeGreaterThanOrEqual(6);
});

test('training lowers the loss and draws the loss curve', async ({ page }) => {
  const loss = page.getByLabel('Mean loss', { exact: true });
  const step = page.getByLabel('Step', { exact: true });
  const before = Number(await loss.textContent());
  expect(before).toBeGreaterThan(5);
  await expect(page.getByText('No points yet')).toBeVisible();

  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await expect.poll(async () => Number((await step.textContent())?.replace(/,/g, '')), { timeout: 60_000 }).toBeGreaterThan(400);
  await page.getByRole('button', { name: 'Pause' }).click();
  const after = Number(await loss.textContent());
  expect(after).toBeLessThan(before / 5);
  // the loss curve has points now, and the sliders moved with the weights
  await expect(page.getByText('No points yet')).toHaveCount(0);
  await expect(page.locator('.chart .recharts-line-curve').first()).toBeVisible();
  await expect(page.getByRole('slider', { name: 'w1[1]', exact: true })).not.toHaveAttribute('aria-valuetext', '-1.00');

  // Reset brings back the starting weights and clears the run
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(loss).toHaveText(before.toPrecision(4));
  await expect(step).toHaveText('0');
});

test('a learning rate that is far too large kills every unit, and the page says so', async ({ page }) => {
  await expect(page.getByLabel('Dead units')).toHaveText('none');
  const lr = page.getByLabel('Learning rate');
  await lr.fill('0.5');
  await lr.press('Enter');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByLabel('Dead units')).toHaveText('1, 2, 3, 4');
  await expect(page.getByRole('status').filter({ hasText: 'All four hidden units are off at every data point' })).toBeVisible();
  await page.getByRole('button', { name: 'Pause' }).click();
});

test('a learning rate out of range is refused with a message', async ({ page }) => {
  const lr = page.getByLabel('Learning rate');
  await lr.fill('5');
  await lr.press('Enter');
  await expect(page.getByRole('alert')).toHaveText('at most 1');
  await expect(lr).toHaveAttribute('aria-invalid', 'true');
  await lr.press('Escape');
  await expect(lr).toHaveValue('0.003');
});

test('URL state survives a reload', async ({ page }) => {
  await page.getByLabel('Data set', { exact: true }).selectOption('2');
  const lr = page.getByLabel('Learning rate');
  await lr.fill('0.005');
  await lr.press('Enter');
  const b2 = page.getByRole('slider', { name: 'b2', exact: true });
  await b2.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(b2).toHaveAttribute('aria-valuetext', '0.80');
  const x = page.getByRole('slider', { name: 'Chosen x' });
  await x.focus();
  await page.keyboard.press('ArrowRight');
  await expect(x).toHaveAttribute('aria-valuetext', /^3 /);
  const curve = await page.getByTestId('network-function').first().getAttribute('d');

  // the URL is written a moment after a change (batched); wait for the last one
  await expect.poll(() => new URL(page.url()).searchParams.get('hand.x')).toBe('3');
  const url = new URL(page.url());
  expect(url.searchParams.get('hand.w')).not.toBeNull();
  expect(url.searchParams.get('ch')).toBe('hand');
  expect(url.searchParams.get('hand.set')).toBe('2');
  expect(url.searchParams.get('hand.lr')).toBe('0.005');
  expect(url.searchParams.get('hand.x')).toBe('3');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'A network by hand' })).toBeVisible();
  await expect(page.getByLabel('Data set', { exact: true })).toHaveValue('2');
  await expect(page.getByLabel('Learning rate')).toHaveValue('0.005');
  await expect(page.getByRole('slider', { name: 'b2', exact: true })).toHaveAttribute('aria-valuetext', '0.80');
  await expect(page.getByRole('slider', { name: 'Chosen x' })).toHaveAttribute('aria-valuetext', /^3 /);
  await expect(page.getByTestId('network-function').first()).toHaveAttribute('d', curve!);
});

test('a new random start is reproducible from its seed', async ({ page }) => {
  await page.getByRole('button', { name: 'New random start' }).click();
  await expect(page.getByText('seed 1', { exact: true })).toBeVisible();
  const curve = await page.getByTestId('network-function').first().getAttribute('d');
  await expect.poll(() => new URL(page.url()).searchParams.get('hand.seed')).toBe('1');
  expect(new URL(page.url()).searchParams.get('hand.w')).toBeNull(); // the seed alone says it
  await page.reload();
  await expect(page.getByTestId('network-function').first()).toHaveAttribute('d', curve!);
});

test('URL values outside their controls are refused and leave the address bar', async ({ page }) => {
  // hand.w = 1e200 once put Infinity on the loss chart at step 0 and blamed the learning rate
  const w = [1e200, 1, 1, 0.5, 5, -3, -7, -4.5, 1.5, -1, 1, 1, 1];
  await page.goto(`/?ch=hand&hand.w=${w.join(',')}&hand.lr=50&hand.spf=1000&hand.x=3`);
  await expect(page.getByRole('heading', { level: 1, name: 'A network by hand' })).toBeVisible();
  // the starting weights, the default learning rate and pace; the valid hand.x is kept
  await expect(page.getByRole('slider', { name: 'w1[1]', exact: true })).toHaveAttribute('aria-valuetext', '-1.00');
  await expect(page.getByLabel('Learning rate')).toHaveValue('0.003');
  await expect(page.getByRole('slider', { name: 'Steps per frame' })).toHaveAttribute('aria-valuetext', '20');
  await expect(page.getByRole('slider', { name: 'Chosen x' })).toHaveAttribute('aria-valuetext', /^3 /);
  const loss = Number(await page.getByLabel('Mean loss', { exact: true }).textContent());
  expect(Number.isFinite(loss) && loss > 0, `mean loss ${loss}`).toBe(true);
  await expect.poll(() => new URL(page.url()).searchParams.get('hand.w')).toBeNull();
  const url = new URL(page.url());
  expect(url.searchParams.get('hand.lr')).toBeNull();
  expect(url.searchParams.get('hand.spf')).toBeNull();
  expect(url.searchParams.get('hand.x')).toBe('3');
  expect(url.searchParams.get('ch')).toBe('hand');
  // training from there is ordinary: no divergence notice
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => Number((await page.getByLabel('Step', { exact: true }).textContent())?.replace(/,/g, '')), { timeout: 60_000 }).toBeGreaterThan(40);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);
});
