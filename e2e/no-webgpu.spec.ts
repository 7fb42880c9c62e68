// Run by the "no-webgpu" project: Chromium launched without --enable-unsafe-webgpu.
// The notebook must fall back to the CPU reference, say so, and still work.

import { expect, test, waitForDevice } from './fixtures';

test('without WebGPU the fallback notice appears and chapter 1 still trains', async ({ page }) => {
  await page.goto('/?ch=hand');
  await waitForDevice(page);
  await expect(page.getByRole('status').filter({ hasText: /Running on the CPU reference backend — .+/ })).toBeVisible();
  await expect(page.getByRole('link', { name: /Compute device: CPU reference/ })).toBeVisible();

  const loss = page.getByLabel('Mean loss', { exact: true });
  const step = page.getByLabel('Step', { exact: true });
  const before = Number(await loss.textContent());
  await page.getByRole('button', { name: 'Train' }).click();
  await expect.poll(async () => Number((await step.textContent())?.replace(/,/g, ''))).toBeGreaterThan(200);
  await page.getByRole('button', { name: 'Pause' }).click();
  expect(Number(await loss.textContent())).toBeLessThan(before);
});
