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
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => Number((await step.textContent())?.replace(/,/g, ''))).toBeGreaterThan(200);
  await page.getByRole('button', { name: 'Pause' }).click();
  expect(Number(await loss.textContent())).toBeLessThan(before);
});

test('without WebGPU the exercises still grade: a known mistake fails with its diagnosis, the correct code passes', async ({ page }) => {
  const { readFileSync } = await import('node:fs');
  const { DIAGNOSES } = await import('../src/exercises/grader/diagnoses');
  const { mistake } = await import('../tests/exercises/known');
  const read = (path: string) => readFileSync(new URL(`../tests/exercises/${path}.js`, import.meta.url), 'utf8');
  await page.goto('/?ch=layers');
  await waitForDevice(page);
  await expect(page.getByRole('link', { name: /Compute device: CPU reference/ })).toBeVisible();
  const cell = page.locator('#ex-fully-connected');
  const editor = cell.getByRole('textbox', { name: /^Your code:/ });
  for (const [code, expected] of [
    [mistake('bias-shape'), DIAGNOSES['bias-shape']],
    [read('solutions/fully-connected'), null],
  ] as const) {
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.insertText(code);
    await cell.getByRole('button', { name: 'Check' }).click();
    await expect(cell.getByRole('button', { name: 'Check' })).toBeEnabled({ timeout: 60_000 });
    const verdict = cell.getByTestId('verdict');
    if (expected) await expect(verdict.getByTestId('diagnosis')).toContainText(expected);
    else await expect(verdict).toContainText(/Passed: (\d+) of \1 /);
  }
});
