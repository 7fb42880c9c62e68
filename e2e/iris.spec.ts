// Chapter 3, as a student uses it: the network trains in the worker and the plotted loss
// falls, a learning-rate change mid-run is marked and takes effect (on the GPU path), a
// hidden-size change starts a new model, a 3 × 3 sweep fills its table, the page state
// survives a reload, and the main thread only draws while training runs: the charts
// redraw at most once per metric batch and per refresh interval, and the page starts no
// GPU readback of its own (counts; the long-task budget is timed in
// bench/main-thread.bench.ts, not here).
//
// Most tests use the CPU reference (iris.dev=cpu): on SwiftShader the WebGPU path is
// several times slower than plain JavaScript, and the point here is the notebook, not
// the GPU's speed. The learning-rate test runs on WebGPU.

import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, test, waitForDevice } from './fixtures';
import { countPageWork, pageWork, watchRedraws } from './main-thread';

const SHOTS = '/tmp/shots';

// Playwright's trace recorder snapshots the DOM on the page's main thread (and slows
// training on SwiftShader): off here
test.use({ trace: 'off' });

/** the charts' refresh interval (CHART_REFRESH_MS in the training cells) */
const CHART_REFRESH_MS = 120;

/** the value of one series in a chart's accessible summary ("name: 0.123 at step 45; …") */
async function seriesValue(chart: Locator, name: string): Promise<{ value: number; x: number } | null> {
  const label = (await chart.getAttribute('aria-label')) ?? '';
  const esc = name.replace(/[()]/g, (c) => `\\${c}`);
  const m = new RegExp(`${esc}: ([-+0-9.e]+) at \\w+ ([-+0-9.e]+)`).exec(label);
  return m ? { value: Number(m[1]), x: Number(m[2]) } : null;
}

async function number(loc: Locator): Promise<number> {
  return Number(((await loc.textContent()) ?? '').replace(/,/g, ''));
}

/** types a value into a labelled number field and commits it with Enter */
async function setField(scope: Locator, label: string, value: string): Promise<void> {
  const input = scope.getByLabel(label, { exact: true });
  await input.fill(value);
  await input.press('Enter');
}

/** axe-core's findings inside one cell (the chapter at load is covered by a11y.spec.ts) */
async function axeViolations(page: Page, selector: string): Promise<string[]> {
  const r = await new AxeBuilder({ page }).include(selector).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return r.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(', ')}`);
}

async function openIris(page: Page, query = ''): Promise<Locator> {
  await page.goto(`/?ch=iris${query}`);
  await expect(page.getByRole('heading', { level: 1, name: 'A two-layer network on Iris' })).toBeVisible();
  const cell = page.locator('#iris-train');
  // the session is built in the worker (Iris loaded, model made)
  await expect(cell.getByTestId('training-state')).toHaveText('ready', { timeout: 60_000 });
  return cell;
}

test('chapter 3 renders its training and sweep cells, labelled, without console errors', async ({ page }) => {
  const cell = await openIris(page);
  for (const name of ['Learning rate', 'Hidden size', 'Batch size', 'Epochs']) {
    await expect(cell.getByRole('spinbutton', { name, exact: true })).toBeVisible();
  }
  for (const name of ['Train', 'Pause', 'Step forward', 'Reset']) await expect(cell.getByRole('button', { name, exact: true })).toBeVisible();
  await expect(page.locator('#iris-sweep').getByRole('button', { name: 'Run sweep' })).toBeEnabled();
  await expect(cell.getByRole('figure', { name: /^Loss\./ })).toBeVisible();
  await expect(cell.getByRole('figure', { name: /^Accuracy\./ })).toBeVisible();
  // the device the session runs on is named: WebGPU with its adapter here
  await expect(cell.getByTestId('session-device')).toContainText(/WebGPU · .+/);
  await expect(cell.getByTestId('iris-data')).toContainText('96 training, 24 validation and 30 test flowers');
  await page.screenshot({ path: `${SHOTS}/iris-page.png`, fullPage: true });
});

test('training lowers the plotted loss; Step forward is one step; a new hidden size starts a new model; the main thread only draws', async ({ page }) => {
  await countPageWork(page);
  const cell = await openIris(page, '&iris.dev=cpu');
  await expect(cell.getByTestId('session-device')).toContainText('CPU reference');
  const step = cell.getByLabel('Step', { exact: true });
  const lossChart = cell.getByTestId('iris-loss-chart');

  // one epoch (96 flowers, batches of 8) by hand: twelve single steps
  const forward = cell.getByRole('button', { name: 'Step forward' });
  for (let i = 1; i <= 12; i++) {
    await forward.click();
    await expect(step).toHaveText(String(i));
  }
  await expect(cell.getByLabel('Latest training loss')).not.toHaveText('—');
  // the charts redraw a few times a second: the first epoch's validation loss shows shortly
  await expect.poll(async () => (await seriesValue(lossChart, 'validation loss (per epoch)'))?.x ?? null).toBe(12);
  const first = (await seriesValue(lossChart, 'validation loss (per epoch)'))!;

  // from here on, count what the main thread does while the worker trains (after the
  // page's own kernel check, which reads back on the main thread by design)
  await waitForDevice(page);
  await expect(page.getByTestId('device-badge')).toHaveAccessibleName(/kernel check (passed|FAILED|could not run)/, { timeout: 60_000 });
  // … and after the step-through cell's trace, which runs on the page's own backend once
  // the cell nears the viewport (on a slow machine it could otherwise start in the window)
  await page.locator('#iris-step-through').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('iris-step-facts')).toBeVisible({ timeout: 60_000 });
  await cell.scrollIntoViewIfNeeded();
  const work0 = await pageWork(page);
  const redraws = await watchRedraws(lossChart);
  await cell.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(cell.getByTestId('training-state')).toHaveText('training');
  await expect.poll(() => number(step), { timeout: 30_000 }).toBeGreaterThan(400);
  await cell.getByRole('button', { name: 'Pause' }).click();
  await expect(cell.getByTestId('training-state')).toHaveText('paused');
  const drawn = await redraws.stop();
  const work1 = await pageWork(page);
  const batches = work1.metricBatches - work0.metricBatches;
  const counts = `${drawn.redraws} redraws, ${batches} metric batches, ${Math.round(drawn.ms)} ms`;
  test.info().annotations.push({ type: 'loss chart while training', description: counts });
  // the chart follows the run, at most once per batch of metrics and once per refresh
  // interval (a busy machine only lowers both counts)
  expect(drawn.redraws, counts).toBeGreaterThanOrEqual(1);
  expect(drawn.redraws, counts).toBeLessThanOrEqual(batches + 1);
  expect(drawn.redraws, counts).toBeLessThanOrEqual(Math.floor(drawn.ms / CHART_REFRESH_MS) + 2);
  // training reads back in the worker: the page itself maps no GPU buffer meanwhile
  expect(work1.readbacks - work0.readbacks, 'GPU readbacks started on the main thread while training').toBe(0);

  const last = await seriesValue(lossChart, 'validation loss (per epoch)');
  expect(last!.x).toBeGreaterThan(first.x);
  expect(last!.value, `validation loss ${first.value} at step 12 → ${last!.value} at step ${last!.x}`).toBeLessThan(first.value * 0.5);
  // bounded: after 400+ steps the training-loss line has at most ~200 vertices
  const vertices = Number(await lossChart.locator('.legend-item').first().getAttribute('data-points'));
  expect(vertices).toBeGreaterThan(100);
  expect(vertices).toBeLessThanOrEqual(210);
  const acc = await seriesValue(cell.getByTestId('iris-accuracy-chart'), 'validation accuracy');
  expect(acc!.value).toBeGreaterThan(0.8);
  await cell.screenshot({ path: `${SHOTS}/iris-trained.png` });

  // a new hidden size: a new model from the same seed, the restart marked where it happened
  const stepsBefore = await number(step);
  await setField(cell, 'Hidden size', '16');
  await expect(step).toHaveText('0');
  await expect(cell.getByTestId('iris-loss-chart-markers').locator('li[data-kind="restart"]')).toHaveText(`new model: 16 hidden (after step ${stepsBefore})`);
  await forward.click();
  await expect(step).toHaveText('1');
  // the counter and the chart's step axis agree: the new model's step 1 is the chart's step after the restart
  await expect(cell.getByTestId('chart-step')).toHaveText(`of this model (step ${(stepsBefore + 1).toLocaleString('en-US')} on the chart)`);
  await expect(page).toHaveURL(/iris\.h=16/);
});

test('a finished run offers to continue at a changed learning rate; a negative rate turns Train off with the message', async ({ page }) => {
  const cell = await openIris(page, '&iris.dev=cpu&iris.pace=0&iris.ep=2');
  const state = cell.getByTestId('training-state');
  const step = cell.getByLabel('Step', { exact: true });
  await cell.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(state).toHaveText('done', { timeout: 60_000 });
  await expect(step).toHaveText('24');
  const markers = cell.getByTestId('iris-loss-chart-markers').locator('li[data-kind="lr"]');

  // a new rate after the end: no marker on the finished run, a labelled button instead
  await setField(cell, 'Learning rate', '0.05');
  const go = cell.getByRole('button', { name: 'Continue training with the new rate' });
  await expect(go).toBeVisible();
  await expect(cell.getByTestId('continue-note')).toBeVisible();
  await expect(markers).toHaveCount(0);
  await go.click();
  // the run goes on from step 24 for the settings' 2 epochs more, at the new rate, marked where it applies
  await expect(state).toHaveText('done', { timeout: 60_000 });
  await expect(step).toHaveText('48');
  await expect(markers).toHaveText(['lr 0.1 → 0.05 (after step 24)']);
  await expect(go).toHaveCount(0);

  // a negative rate: the field says why, and Train stays off until it is fixed
  await setField(cell, 'Epochs', '5');
  await expect(cell.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  await setField(cell, 'Learning rate', '-1');
  await expect(cell.getByRole('alert').filter({ hasText: 'at least 0' })).toBeVisible();
  await expect(cell.getByTestId('train-blocked')).toHaveText('Learning rate: at least 0 — Train is off until it is fixed.');
  await expect(cell.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await expect(cell.getByRole('button', { name: 'Step forward' })).toBeDisabled();
  await setField(cell, 'Learning rate', '0.05');
  await expect(cell.getByTestId('train-blocked')).toHaveCount(0);
  await expect(cell.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
});

test('a learning-rate change while it trains is marked and takes effect: lr 50 diverges after the marker (WebGPU)', async ({ page }) => {
  const cell = await openIris(page, '&iris.pace=0&iris.ep=2000');
  await expect(cell.getByTestId('session-device')).toContainText('WebGPU');
  const step = cell.getByLabel('Step', { exact: true });
  await cell.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => number(step), { timeout: 60_000 }).toBeGreaterThan(30);
  await expect(cell.getByTestId('training-state')).toHaveText('training');

  await setField(cell, 'Learning rate', '50');
  const marker = cell.getByTestId('iris-loss-chart-markers').locator('li[data-kind="lr"]');
  await expect(marker).toHaveText(/^lr 0\.1 → 50 \(after step \d+\)$/);
  const at = Number(await marker.getAttribute('data-x'));
  expect(at).toBeGreaterThan(30);

  // the new rate applies from the next step on: the run diverges, after the marker
  const state = cell.getByTestId('training-state');
  await expect(state).toHaveText(/^diverged at step \d+$/, { timeout: 60_000 });
  const k = Number(/\d+/.exec((await state.textContent())!)![0]);
  expect(k).toBeGreaterThan(at);
  await expect(cell.getByTestId('divergence')).toContainText(`diverged at step ${k} (learning rate 50)`);
  await expect(cell.getByTestId('iris-loss-chart-markers').locator('li[data-kind="diverged"]')).toHaveText(`diverged at step ${k}`);
  // no NaN in a chart or the counters
  for (const id of ['iris-loss-chart', 'iris-accuracy-chart']) expect(await cell.getByTestId(id).getAttribute('aria-label')).not.toMatch(/NaN|Infinity/);
  await expect(cell.locator('.session-status')).not.toContainText('NaN');
  // the curve before the divergence stays drawn and readable: the axis is not stretched to the exploded values
  const lossChart = cell.getByTestId('iris-loss-chart');
  expect(Number(await lossChart.locator('.legend-item').first().getAttribute('data-points'))).toBeGreaterThan(0);
  expect(Number(await lossChart.getAttribute('data-y-top'))).toBeLessThanOrEqual(10);
  await expect(lossChart.locator('.recharts-line-curve').first()).toHaveAttribute('d', /^M/);
  await cell.screenshot({ path: `${SHOTS}/iris-diverged.png` });
  // charts with markers, the divergence notice and the status: still accessible
  expect(await axeViolations(page, '#iris-train')).toEqual([]);

  // Reset: a new model at the current rate; lower it and training works again
  await setField(cell, 'Learning rate', '0.1');
  await cell.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(state).toHaveText('ready');
  await expect(cell.getByTestId('divergence')).toHaveCount(0);
});

test('a 3 × 3 sweep runs from the page: nine rows picked by validation accuracy, ties marked, the heatmap beside, curves overlaid', async ({ page }) => {
  await openIris(page, '&iris.dev=cpu');
  const sweep = page.locator('#iris-sweep');
  // edit the lists (the course's grid, in another order)
  const lrs = sweep.getByLabel('Learning rates');
  await lrs.fill('0.2, 0.05, 0.01');
  await lrs.press('Enter');
  const hs = sweep.getByLabel('Hidden sizes');
  await hs.fill('16 8 4');
  await hs.press('Enter');
  await expect(sweep).toContainText('3 × 3 = 9 runs');
  await expect(page).toHaveURL(/iris\.slr=0\.2%2C0\.05%2C0\.01/);

  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  await expect(sweep.getByTestId('sweep-status')).toContainText('Sweep finished', { timeout: 90_000 });
  const rows = sweep.getByTestId('sweep-table').locator('tbody tr');
  await expect(rows).toHaveCount(9);
  await expect(sweep.getByTestId('sweep-table').locator('tbody tr[data-best]')).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-best', 'true');
  await expect(rows.first().getByRole('rowheader')).toHaveText(/^★ picked/);

  // columns: learning rate, hidden, validation accuracy, validation loss, test accuracy, …
  const table: { pair: string; val: number; valLoss: number; test: number; tied: boolean }[] = [];
  for (let i = 0; i < 9; i++) {
    const cells = rows.nth(i).getByRole('cell');
    table.push({
      pair: `${await cells.nth(0).textContent()}×${await cells.nth(1).textContent()}`,
      val: Number(await cells.nth(2).textContent()),
      valLoss: Number(await cells.nth(3).textContent()),
      test: Number(await cells.nth(4).textContent()),
      tied: (await rows.nth(i).getAttribute('data-tied')) === 'true',
    });
  }
  expect(table.map((r) => r.pair).sort()).toEqual(['0.01×16', '0.01×4', '0.01×8', '0.05×16', '0.05×4', '0.05×8', '0.2×16', '0.2×4', '0.2×8']);
  // picked by validation: sorted by validation accuracy, the first the largest
  const vals = table.map((r) => r.val);
  expect(vals).toEqual([...vals].sort((a, b) => b - a));
  for (const r of table) expect(r.val >= 0 && r.val <= 1 && r.test >= 0 && r.test <= 1, `${r.pair}: accuracies in [0, 1]`).toBe(true);
  // ties: exactly the rows equal to the pick's shown accuracy (when there are two or more), in order of validation loss
  const tiedRows = table.filter((r) => r.val === vals[0]);
  expect(table.filter((r) => r.tied).map((r) => r.pair)).toEqual(tiedRows.length > 1 ? tiedRows.map((r) => r.pair) : []);
  for (let i = 1; i < tiedRows.length; i++) expect(tiedRows[i]!.valLoss).toBeGreaterThanOrEqual(tiedRows[i - 1]!.valLoss);
  const pick = sweep.getByTestId('sweep-pick');
  const [lr, h] = table[0]!.pair.split('×');
  await expect(pick).toContainText(`Picked by validation accuracy: learning rate ${lr}, ${h} hidden units`);
  await expect(pick.getByTestId('sweep-picked-test')).toHaveText(table[0]!.test.toFixed(3));
  if (tiedRows.length > 1) await expect(pick.getByTestId('sweep-tie')).toContainText(`${tiedRows.length} runs tie`);
  await expect(pick).toContainText('the lower validation loss');
  // the verdict judges the picked run's test accuracy against the course's 0.97
  const verdict = sweep.getByTestId('sweep-verdict');
  await expect(verdict).toContainText(`The picked run's test accuracy ${table[0]!.test.toFixed(3)}`);
  await expect(verdict).toContainText(table[0]!.test >= 0.97 ? "the course's target of ≥ 0.97 is met" : "below the course's target of 0.97");
  await expect(verdict).toContainText('averages each cell over 10 splits (seeds 1–10)');

  // the heatmap: rows are learning rates, columns hidden sizes, the picked cell marked, every cell named
  const heat = sweep.getByTestId('sweep-heatmap');
  const grid = heat.getByRole('grid', { name: 'Validation accuracy by learning rate and hidden size' });
  await expect(grid).toBeVisible();
  await expect(grid.getByRole('rowheader')).toHaveText(['0.2', '0.05', '0.01']);
  await expect(grid.getByRole('columnheader')).toHaveText([/learning rate/, '16', '8', '4']);
  const gridCells = grid.getByRole('gridcell');
  await expect(gridCells).toHaveCount(9);
  const picked = grid.locator('[data-picked="true"]');
  await expect(picked).toHaveCount(1);
  await expect(picked).toHaveAccessibleName(new RegExp(`^learning rate ${lr}, ${h} hidden: validation accuracy ${table[0]!.val.toFixed(3)}, picked`));
  await expect(grid.locator('[data-tied="true"]')).toHaveCount(tiedRows.length > 1 ? tiedRows.length : 0);
  // each cell's figure is its row's validation accuracy in the table
  for (const r of table) {
    const [rl, rh] = r.pair.split('×');
    await expect(grid.getByRole('gridcell', { name: new RegExp(`^learning rate ${rl}, ${rh} hidden: validation accuracy ${r.val.toFixed(3)}`) })).toHaveCount(1);
  }
  // keyboard: one tab stop; the arrows move the focus and the readout names the cell
  await gridCells.first().focus();
  await expect(heat.locator('.grid-heatmap-readout')).toHaveText(/^learning rate 0\.2, 16 hidden: validation accuracy/);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  await expect(gridCells.nth(4)).toBeFocused();
  await expect(heat.locator('.grid-heatmap-readout')).toHaveText(/^learning rate 0\.05, 8 hidden: validation accuracy/);
  await page.keyboard.press('End');
  await expect(gridCells.nth(5)).toBeFocused();
  expect(await grid.locator('[tabindex="0"]').count()).toBe(1);

  // one curve per run in the overlay, with a legend entry each
  await expect(sweep.getByTestId('sweep-chart').locator('.legend-item')).toHaveCount(9);
  await expect(sweep.getByTestId('sweep-chart').locator('.recharts-line-curve')).toHaveCount(9);
  await expect(sweep.getByTestId('sweep-table')).not.toContainText('NaN');
  await sweep.screenshot({ path: `${SHOTS}/iris-sweep.png` });
  await sweep.locator('.sweep-results').screenshot({ path: `${SHOTS}/iris-sweep-heatmap.png` });
  expect(await axeViolations(page, '#iris-sweep')).toEqual([]);
});

test('hyperparameters and seed live in the URL and survive a reload', async ({ page }) => {
  const cell = await openIris(page, '&iris.dev=cpu');
  await setField(cell, 'Learning rate', '0.05');
  await setField(cell, 'Hidden size', '12');
  await setField(cell, 'Batch size', '16');
  await setField(cell, 'Epochs', '50');
  await setField(cell, 'Seed', '3');
  await cell.getByLabel('Speed').selectOption('50');
  const sweep = page.locator('#iris-sweep');
  await sweep.getByLabel('Hidden sizes').fill('2, 32');
  await sweep.getByLabel('Hidden sizes').press('Enter');
  await expect(page).toHaveURL(/iris\.seed=3/);
  await expect(page).toHaveURL(/iris\.sh=2%2C32/);
  await expect(page).toHaveURL(/iris\.pace=50/);

  await page.reload();
  const again = page.locator('#iris-train');
  await expect(again.getByTestId('training-state')).toHaveText('ready', { timeout: 60_000 });
  await expect(again.getByLabel('Learning rate', { exact: true })).toHaveValue('0.05');
  await expect(again.getByLabel('Hidden size', { exact: true })).toHaveValue('12');
  await expect(again.getByLabel('Batch size', { exact: true })).toHaveValue('16');
  await expect(again.getByLabel('Epochs', { exact: true })).toHaveValue('50');
  await expect(again.getByLabel('Seed', { exact: true })).toHaveValue('3');
  await expect(again.getByLabel('Speed')).toHaveValue('50');
  await expect(page.locator('#iris-sweep').getByLabel('Hidden sizes')).toHaveValue('2, 32');
  // and the session was built from them
  await expect(again.locator('.session-status')).toContainText('of 50');
  await expect(again.getByTestId('iris-data')).toContainText('seeded with 3');
  await again.getByRole('button', { name: 'Step forward' }).click();
  await expect(again.getByLabel('Step', { exact: true })).toHaveText('1');
});

test('the data cell: 150 flowers in the table, the scatter plot follows the chosen axes', async ({ page }) => {
  await page.goto('/?ch=iris');
  const cell = page.locator('#iris-data-cell');
  await cell.scrollIntoViewIfNeeded();
  const scatter = cell.getByTestId('iris-scatter');
  await expect(scatter).toHaveAttribute('data-points', '150');
  await expect(scatter.locator('circle')).toHaveCount(150);
  await expect(cell.getByTestId('iris-table').locator('tbody tr')).toHaveCount(150);
  await expect(cell.getByTestId('iris-table').locator('tbody tr').first()).toContainText(/setosa|versicolor|virginica/);
  await expect(scatter).toHaveAccessibleName(/petal width against petal length/);
  await cell.getByLabel('Horizontal axis').selectOption({ label: 'sepal length' });
  await expect(scatter).toHaveAccessibleName(/petal width against sepal length/);
  // the table is a focusable region (it scrolls)
  await expect(cell.getByRole('region', { name: 'The 150 flowers' })).toHaveAttribute('tabindex', '0');
});
