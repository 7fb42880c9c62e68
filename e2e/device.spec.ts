// The device: the badge names the WebGPU adapter, the notice says it is a software
// fallback (SwiftShader here), and the matmul kernel agrees with the CPU reference.

import { expect, test, waitForDevice } from './fixtures';

test('the badge names the adapter and the kernel check passes', async ({ page }) => {
  await page.goto('/');
  await waitForDevice(page);
  const badge = page.getByRole('link', { name: /Compute device:/ });
  await expect(badge).toContainText(/^WebGPU · .+/);
  await expect(badge).toContainText(/swiftshader/i);
  await expect(page.getByTestId('backend-kind')).toHaveText(/WebGPU/);
  await expect(page.getByTestId('device-name')).toHaveText(/swiftshader/i);

  // SwiftShader is a CPU fallback: the notice says so
  await expect(page.getByRole('status').filter({ hasText: 'WebGPU adapter is a CPU fallback (SwiftShader): kernels run, slowly' })).toBeVisible();

  const summary = page.getByTestId('kernel-check');
  await expect(summary).toHaveText(/^Kernel check passed/, { timeout: 60_000 });
  await expect(page.getByTestId('check-small')).toContainText('PASS');
  await expect(page.getByTestId('check-odd')).toContainText('PASS');
  await expect(badge).toHaveAccessibleName(/kernel check passed/);
});

test('the GPU result is the CPU result, element by element, as drawn', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('kernel-check')).toHaveText(/^Kernel check passed/, { timeout: 60_000 });
  // read C[i, j] from both heatmaps with the keyboard, as a user would
  const read = async (name: string, moves: string[]) => {
    const grid = page.getByRole('group', { name: `${name} (4, 5)` });
    await grid.focus();
    for (const k of moves) await page.keyboard.press(k);
    const readout = grid.locator('xpath=../p[contains(@class, "heatmap-readout")]');
    const text = (await readout.textContent()) ?? '';
    const m = /=\s*(-?[\d.]+)$/.exec(text.trim());
    expect(m, `readout of ${name}: ${text}`).not.toBeNull();
    return { text, value: Number(m![1]) };
  };
  for (const moves of [[], ['ArrowRight'], ['ArrowDown', 'ArrowRight', 'ArrowRight'], ['End', 'ArrowDown', 'ArrowDown', 'ArrowDown']]) {
    const gpu = await read('C on the GPU', moves);
    const cpu = await read('C on the CPU', moves);
    expect(gpu.text.replace('C on the GPU', '')).toBe(cpu.text.replace('C on the CPU', ''));
  }
  const grid = page.getByRole('group', { name: 'A (4, 3)' });
  const readout = grid.locator('xpath=../p[contains(@class, "heatmap-readout")]');
  await grid.focus();
  await page.keyboard.press('ArrowRight');
  await expect(readout).toHaveText(/^A\[0, 1\] = -?\d+\.\d{3}$/);
  // hovering a cell reads it out too: row 2, column 1 of the 4×3 grid
  await grid.blur();
  const box = (await grid.locator('canvas').boundingBox())!;
  await page.mouse.move(box.x + (box.width * 1.5) / 3, box.y + (box.height * 2.5) / 4);
  await expect(readout).toHaveText(/^A\[2, 1\] = -?\d+\.\d{3}$/);
});

test('without navigator.gpu the notebook says it runs on the CPU reference, and why', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto('/');
  await waitForDevice(page);
  const notice = page.getByRole('status').filter({ hasText: 'Running on the CPU reference backend' });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('navigator.gpu is missing');
  await expect(page.getByRole('link', { name: /Compute device: CPU reference/ })).toBeVisible();
  await expect(page.getByTestId('backend-kind')).toHaveText(/CPU reference/);
  await expect(page.getByText(/Kernel check not run/)).toBeVisible();
});
