// The Performance page on WebGPU (SwiftShader here, so a small batch and two timed
// steps): it renders with no console error, keeps its settings in the URL, and a
// measurement of LeNet shows 20 dispatches, 1 submission and 0 readbacks per step,
// examples per second, the software-adapter note, and a per-kernel GPU time table of
// the profiled step (20 dispatches, shares adding up to the step), with no accessibility
// violations once filled. Screenshots go to /tmp/shots/perf-*.png.

import AxeBuilder from '@axe-core/playwright';
import { expect, test, waitForDevice } from './fixtures';

const SHOTS = '/tmp/shots';

/** the value cell of a row of the counters table */
function measure(page: import('@playwright/test').Page, name: string) {
  return page.getByTestId('perf-summary').locator(`td[data-measure="${name}"]`);
}

test('the page renders its cells and labelled controls, with the settings from the URL', async ({ page }) => {
  await page.goto('/?ch=perf&perf.batch=8&perf.steps=2');
  await expect(page.getByRole('heading', { level: 1, name: 'Performance' })).toBeVisible();
  await waitForDevice(page);
  for (const t of ['Examples per second, and the counters of a step', 'Where the GPU time goes']) {
    await expect(page.getByRole('heading', { name: t })).toBeVisible();
  }
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('lenet');
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue('8');
  await expect(page.getByLabel('Timed steps', { exact: true })).toHaveValue('2');
  await expect(page.getByRole('button', { name: 'Measure' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Stop' })).toBeDisabled();
  // a changed setting goes into the URL and survives a reload
  await page.getByLabel('Model', { exact: true }).selectOption('iris');
  await page.getByLabel('Batch size', { exact: true }).fill('30');
  await page.getByLabel('Batch size', { exact: true }).press('Enter');
  await expect.poll(() => new URL(page.url()).searchParams.get('perf.batch')).toBe('30');
  await expect.poll(() => new URL(page.url()).searchParams.get('perf.model')).toBe('iris');
  await page.reload();
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('iris');
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue('30');
});

test('LeNet on WebGPU: 20 dispatches per step and a per-kernel GPU time table', async ({ page }) => {
  test.setTimeout(170_000);
  await page.goto('/?ch=perf&perf.batch=8&perf.steps=2');
  await waitForDevice(page);
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Measure' }).click();
  // progress while it runs
  await expect(page.getByRole('progressbar').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Stop' })).toBeEnabled();
  await page.screenshot({ path: `${SHOTS}/perf-running.png`, fullPage: false });

  const summary = page.getByTestId('perf-summary');
  await expect(summary).toBeVisible({ timeout: 150_000 });
  console.log(`measured in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await expect(measure(page, 'device')).toHaveText(/^WebGPU · .*swiftshader/i);
  await expect(measure(page, 'dispatches per step')).toHaveText('20');
  await expect(measure(page, 'submissions per step')).toHaveText('1');
  await expect(measure(page, 'readbacks per step')).toHaveText('0');
  await expect(measure(page, 'matrix-product kernel')).toHaveText('registers');
  await expect(measure(page, 'convolution backward kernel')).toHaveText('blocked (conv_backward.wgsl)');
  const eps = Number((await measure(page, 'examples per second').textContent())!.replace(/,/g, ''));
  expect(eps).toBeGreaterThan(0);
  // the projected epoch over MNIST's 60 000 training images, stated in the summary and the headline
  await expect(measure(page, 'projected epoch')).toHaveText(/^\d+(\.\d)? s$|^\d+ min \d\d s$|^\d+ h \d\d min$/);
  const epoch = (await measure(page, 'projected epoch').textContent())!;
  await expect(page.getByTestId('perf-headline')).toContainText(`examples per second`);
  await expect(page.getByTestId('perf-headline')).toContainText(epoch);
  // a software adapter: the page says so
  await expect(page.getByRole('status').filter({ hasText: /software fallback/ })).toBeVisible();

  // the per-kernel table: one row per dispatch of the profiled step, slowest first
  const kernels = page.getByRole('table', { name: /GPU time per dispatch of one profiled step/ });
  await expect(kernels).toBeVisible();
  const rows = kernels.locator('tbody tr');
  await expect(rows).toHaveCount(20);
  const times = await rows.locator('td:nth-child(4)').allTextContents();
  const ms = times.map((t) => (t.endsWith(' s') ? Number.parseFloat(t) * 1000 : t.endsWith('µs') ? Number.parseFloat(t) / 1000 : Number.parseFloat(t)));
  expect(ms.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  for (let i = 1; i < ms.length; i++) expect(ms[i - 1]!).toBeGreaterThanOrEqual(ms[i]!);
  const shares = (await rows.locator('td.perf-share .mono').allTextContents()).map((t) => Number.parseFloat(t));
  const sum = shares.reduce((a, b) => a + b, 0);
  expect(sum).toBeGreaterThan(99);
  expect(sum).toBeLessThan(101);
  await expect(kernels).toContainText('conv2d.wgsl');
  await expect(kernels).toContainText('conv_backward.wgsl : conv2d_backward_blocked');
  await expect(kernels).toContainText('matmul.wgsl : matmul_registers');
  await expect(page.getByText(/How these were timed:/)).toBeVisible();
  await expect(page.locator('main')).not.toContainText('NaN');
  console.log(`LeNet batch 8: ${eps} examples/s; slowest kernel ${(await rows.first().locator('th').textContent())} ${times[0]}`);

  await page.getByTestId('perf-summary').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/perf-summary.png`, fullPage: false });
  await kernels.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/perf-kernels.png`, fullPage: false });
  await page.screenshot({ path: `${SHOTS}/perf-full.png`, fullPage: true });

  // the filled tables and bars have no accessibility violations either
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
});

test('on the CPU reference the page says what it times, with no GPU counters or kernel table', async ({ page }) => {
  test.setTimeout(170_000);
  // no navigator.gpu: the notebook's device is the CPU reference
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto('/?ch=perf&perf.batch=8&perf.steps=2');
  await waitForDevice(page);
  const note = page.getByTestId('perf-cpu-mode');
  await expect(note).toContainText('This page runs on the float64 CPU reference');
  await expect(note).toContainText('no command buffers, no submissions');
  await expect(note).toContainText('what is measured is the time the reference takes for each step in JavaScript');
  await expect(page.locator('main')).toContainText('trains LeNet (or the Iris net) for a few steps on the CPU reference and times each step');
  await page.getByRole('button', { name: 'Measure' }).click();
  const summary = page.getByTestId('perf-summary');
  await expect(summary).toBeVisible({ timeout: 150_000 });
  await expect(measure(page, 'device')).toHaveText('float64 CPU reference');
  expect(Number((await measure(page, 'examples per second').textContent())!.replace(/,/g, ''))).toBeGreaterThan(0);
  await expect(measure(page, 'time per step (median)')).toBeVisible();
  // the GPU's counters and kernel choices are left out, and nothing speaks of command buffers sent to the GPU
  for (const gpuOnly of ['dispatches per step', 'submissions per step', 'readbacks per step', 'matrix-product kernel', 'convolution backward kernel']) {
    await expect(measure(page, gpuOnly)).toHaveCount(0);
  }
  await expect(summary).not.toContainText('command buffers sent to the GPU');
  await expect(page.getByRole('status').filter({ hasText: "the times are of the reference's JavaScript" })).toBeVisible();
  await expect(page.getByTestId('perf-headline')).toContainText('On the CPU reference LeNet-5 trains on');
  await expect(page.getByRole('table', { name: /GPU time per dispatch/ })).toHaveCount(0);
  await expect(page.getByText(/No GPU ran this step, so there are no kernels to time/)).toBeVisible();
  await expect(page.locator('main')).not.toContainText('NaN');
  await page.getByTestId('perf-summary').scrollIntoViewIfNeeded();
  await page.screenshot({ path: '/work/shots/lenetsw-perf-cpu.png', fullPage: false });
});
