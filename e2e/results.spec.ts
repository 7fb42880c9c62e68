// Results out, and kept, on the Iris chapter (the CPU reference, a short run at full
// speed): the live charts download as PNG (2× the SVG's size) and as a standalone SVG
// whose curve is a path with data; the run's metrics as CSV; the model downloads as the
// package's JSON and loads back with the same test predictions, while a file of another
// architecture or a malformed one is refused with a message and nothing changed; the
// finished run is saved, survives a reload in the runs list, is drawn beside the live run
// when ticked, and Delete (after asking) removes it for good.

import { mkdirSync, readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Download, Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

const SHOTS = '/work/shots';
const QUERY = '?ch=iris&iris.dev=cpu&iris.ep=15&iris.pace=0';

test.use({ trace: 'off' });

async function openIris(page: Page): Promise<Locator> {
  await page.goto(`/${QUERY}`);
  const cell = page.locator('#iris-train');
  await expect(cell.getByTestId('training-state')).toHaveText('ready', { timeout: 60_000 });
  return cell;
}

/** clicks and returns the file the page downloads, with its suggested name */
async function download(page: Page, button: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await (dl as Download).path();
  return { name: dl.suggestedFilename(), bytes: readFileSync(path) };
}

/** the test accuracy, every predicted class, and the mean probability of the predicted class (float32, exact to the bit as text) */
type Prediction = { accuracy: string; predicted: string; confidence: string };

async function prediction(cell: Locator): Promise<Prediction> {
  const p = cell.getByTestId('test-predictions');
  return { accuracy: (await p.getAttribute('data-accuracy'))!, predicted: (await p.getAttribute('data-predicted'))!, confidence: (await p.getAttribute('data-confidence'))! };
}

async function predict(cell: Locator, step: number): Promise<Prediction> {
  await cell.getByRole('button', { name: 'Predict the test set' }).click();
  await expect(cell.getByTestId('test-predictions')).toContainText(`The model after step ${step}:`);
  return prediction(cell);
}

test('charts, metrics and the model go out; the model comes back with the same predictions; the run is kept across reloads until deleted', async ({ page }) => {
  test.setTimeout(240_000);
  mkdirSync(SHOTS, { recursive: true });
  let cell = await openIris(page);
  const runs = () => cell.getByTestId('saved-run');
  await expect(cell.getByTestId('saved-runs-empty')).toBeVisible();

  await cell.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(cell.getByTestId('training-state')).toHaveText('done', { timeout: 120_000 });
  const steps = Number((await cell.getByLabel('Step', { exact: true }).textContent())!.replace(/,/g, ''));
  expect(steps).toBe(15 * 12);
  // the finished run was saved on its own
  await expect(runs()).toHaveCount(1);
  await expect(runs().first()).toContainText('lr 0.1 · 8 hidden · batch 8 · 15 epochs');
  await expect(runs().first()).toContainText('done');

  await test.step('the loss chart as SVG (standalone, a path with data) and as PNG at 2×', async () => {
    const chart = cell.getByRole('figure', { name: /^Loss\./ });
    const svg = await download(page, chart.getByRole('button', { name: 'Download chart as SVG' }));
    expect(svg.name).toBe('loss.svg');
    const text = svg.bytes.toString('utf8');
    expect(text).toMatch(/^<\?xml[^>]*>\s*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(text).toContain('<title>Loss</title>');
    expect(text).toContain('training loss (per step)');
    // the training curve: a path with at least 50 points, its stroke inlined
    const paths = [...text.matchAll(/<path[^>]*\sd="(M[^"]+)"[^>]*>/g)].map((m) => ({ d: m[1]!, tag: m[0] }));
    const curve = paths.find((p) => (p.d.match(/L/g) ?? []).length >= 50);
    expect(curve, 'a path with the curve').toBeTruthy();
    expect(curve!.tag).toMatch(/style="[^"]*stroke:\s*rgb/);
    const [, w, h] = /<svg[^>]*\swidth="(\d+)" height="(\d+)"/.exec(text)!;

    const png = await download(page, chart.getByRole('button', { name: 'Download chart as PNG' }));
    expect(png.name).toBe('loss.png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: width and height at bytes 16 and 20, twice the SVG's
    expect([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)]).toEqual([2 * Number(w), 2 * Number(h)]);

    // both files, opened on their own, for a look
    const view = await page.context().newPage();
    await view.setViewportSize({ width: Number(w) + 40, height: Number(h) + 40 });
    await view.setContent(`<body style="margin:20px;background:#eee">${text.replace(/^<\?xml[^>]*>/, '')}</body>`);
    await view.screenshot({ path: `${SHOTS}/results-chart-svg.png` });
    await view.setViewportSize({ width: Number(w) * 2 + 40, height: Number(h) * 2 + 40 });
    await view.setContent(`<body style="margin:20px;background:#eee"><img alt="exported chart" src="data:image/png;base64,${png.bytes.toString('base64')}"></body>`);
    await view.screenshot({ path: `${SHOTS}/results-chart-png.png` });
    await view.close();

    const acc = cell.getByRole('figure', { name: /^Accuracy\./ });
    const accSvg = await download(page, acc.getByRole('button', { name: 'Download chart as SVG' }));
    expect(accSvg.bytes.toString('utf8')).toContain('validation accuracy');
  });

  await test.step("the run's metrics as CSV: a header and one row per step", async () => {
    const csv = await download(page, cell.getByRole('button', { name: 'Download metrics (CSV)' }));
    expect(csv.name).toBe('iris-training-metrics.csv');
    const lines = csv.bytes.toString('utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('step,epoch,loss,train_loss_epoch_mean,validation_loss,validation_accuracy,test_loss,test_accuracy');
    expect(lines).toHaveLength(1 + steps);
    const last = lines.at(-1)!.split(',');
    expect(last[0]).toBe(String(steps));
    expect(last[1]).toBe('15');
    for (const v of last.slice(2)) expect(Number.isFinite(Number(v)) && v !== '').toBe(true);
    // a step inside an epoch has its loss and no evaluation
    expect(lines[1]!.split(',').slice(3).every((v) => v === '')).toBe(true);
  });

  let saved: Buffer;
  let trained: Prediction;
  await test.step('the model as JSON, loaded back: the same predictions', async () => {
    trained = await predict(cell, steps);
    expect(Number(trained.accuracy)).toBeGreaterThan(0.6);
    expect(trained.predicted).toMatch(/^[012]{30}$/);
    const model = await download(page, cell.getByRole('button', { name: 'Download model (JSON)' }));
    expect(model.name).toBe(`iris-training-model-step-${steps}.json`);
    const file = JSON.parse(model.bytes.toString('utf8')) as { format: string; version: number; inputShape: number[]; layers: { parameters: Record<string, { shape: number[] }> }[] };
    expect(file.format).toBe('backprop-notebook/nn-model');
    expect(file.inputShape).toEqual([4]);
    expect(file.layers.map((l) => l.parameters.W!.shape)).toEqual([[4, 8], [8, 3]]);
    saved = model.bytes;

    // a new model from the seed predicts from scratch
    await cell.getByRole('button', { name: 'Reset', exact: true }).click();
    await expect(cell.getByTestId('training-state')).toHaveText('ready');
    const fresh = await predict(cell, 0);
    expect(fresh.confidence).not.toBe(trained.confidence);

    await cell.getByLabel('Load a model (JSON)').setInputFiles({ name: 'iris-model.json', mimeType: 'application/json', buffer: saved });
    await expect(cell.getByTestId('results-note')).toContainText('Loaded iris-model.json');
    const back = await predict(cell, 0);
    expect(back).toEqual(trained);
    // and Train goes on from the loaded parameters: one step forward
    await cell.getByRole('button', { name: 'Step forward' }).click();
    await expect(cell.getByLabel('Step', { exact: true })).toHaveText('1');
  });

  await test.step('a malformed file and a file of another architecture are refused; nothing changes', async () => {
    const step = cell.getByLabel('Step', { exact: true });
    await cell.getByLabel('Load a model (JSON)').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"format": 1}') });
    await expect(cell.getByRole('alert').filter({ hasText: 'bad.json is not a model file' })).toContainText('format is 1, expected "backprop-notebook/nn-model"');
    await expect(step).toHaveText('1');

    const hidden = cell.getByRole('spinbutton', { name: 'Hidden size', exact: true });
    await hidden.fill('5');
    await hidden.press('Enter');
    await expect(cell.getByTestId('training-state')).toHaveText('ready');
    await cell.getByRole('button', { name: 'Step forward' }).click();
    await cell.getByRole('button', { name: 'Step forward' }).click();
    await expect(step).toHaveText('2');
    const before = await predict(cell, 2);
    await cell.getByLabel('Load a model (JSON)').setInputFiles({ name: 'iris-model.json', mimeType: 'application/json', buffer: saved });
    const alert = cell.getByRole('alert').filter({ hasText: 'This file holds' });
    await expect(alert).toContainText("This file holds a 4 → 8 (relu) → 3 (softmax) network, but the page's network is 4 → 5 (relu) → 3 (softmax)");
    await expect(alert).toContainText('Set the hidden size to 8 first');
    await expect(step).toHaveText('2');
    const still = await predict(cell, 2);
    expect(still).toEqual(before);
  });

  await test.step('the saved run survives a reload, is drawn beside the live run, and Delete removes it after asking', async () => {
    // the runs left by Reset, the loaded model and the new hidden size were saved too (each after ≥ 1 step)
    const count = await runs().count();
    expect(count).toBeGreaterThanOrEqual(2);
    await page.reload();
    cell = await openIris(page);
    await expect(runs()).toHaveCount(count);
    const done = runs().filter({ hasText: '15 epochs' }).filter({ hasText: 'done' });
    await expect(done).toHaveCount(1);
    await expect(done.getByRole('cell').nth(3)).toHaveText(/^0\.\d{4}$/);

    await done.getByRole('checkbox', { name: /^Show the run of .+ on the chart$/ }).check();
    const loss = cell.getByRole('figure', { name: /^Loss\./ });
    await expect(loss).toHaveAttribute('aria-label', /saved .+: training loss: [0-9.e-]+ at step 180/);
    await expect(cell.getByRole('figure', { name: /^Accuracy\./ })).toHaveAttribute('aria-label', /saved .+: validation accuracy: [0-9.]+ at step 180/);
    await cell.locator('section[aria-label="Saved runs"]').scrollIntoViewIfNeeded();
    await cell.locator('.two-col').screenshot({ path: `${SHOTS}/results-compare-charts.png` });
    await cell.locator('section[aria-label="Saved runs"]').screenshot({ path: `${SHOTS}/results-runs-list.png` });
    // the toolbar, the list and the charts' download buttons: labelled, no axe findings
    const axe = await new AxeBuilder({ page }).include('#iris-train').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);

    await done.getByRole('button', { name: /^Delete the run of / }).click();
    // asks first: Keep it leaves the run
    await done.getByRole('button', { name: 'Keep it' }).click();
    await expect(runs()).toHaveCount(count);
    await done.getByRole('button', { name: /^Delete the run of / }).click();
    await done.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(runs()).toHaveCount(count - 1);
    await expect(loss).not.toHaveAttribute('aria-label', /saved .+ at step 180/);
    await page.reload();
    cell = await openIris(page);
    await expect(runs()).toHaveCount(count - 1);
    await expect(runs().filter({ hasText: '15 epochs' }).filter({ hasText: 'done' })).toHaveCount(0);
  });
});

test('a finished sweep is saved, survives a reload with its best run and table, and Delete removes it after asking', async ({ page }) => {
  test.setTimeout(180_000);
  mkdirSync(SHOTS, { recursive: true });
  await page.goto('/?ch=iris&iris.dev=cpu&iris.slr=0.1%2C0.5&iris.sh=4&iris.sep=5');
  const sweep = page.locator('#iris-sweep');
  const saved = () => sweep.getByTestId('saved-sweep');
  await expect(sweep.getByTestId('saved-sweeps-empty')).toBeVisible({ timeout: 60_000 });
  await expect(sweep).toContainText('2 × 1 = 2 runs');
  await sweep.getByRole('button', { name: 'Run sweep' }).click();
  await expect(sweep.getByTestId('sweep-status')).toContainText('Sweep finished', { timeout: 90_000 });
  await expect(saved()).toHaveCount(1);
  const best = (await sweep.getByTestId('sweep-table').locator('tbody tr[data-best]').first().textContent())!;

  await page.reload();
  await expect(saved()).toHaveCount(1, { timeout: 60_000 });
  const w = saved().first();
  await expect(w).toContainText('2 learning rates (0.1, 0.5) × 1 hidden size (4), 5 epochs per run');
  await expect(w).toContainText('2 of 2 runs, done');
  await expect(w).toContainText(/Best by validation accuracy: lr 0\.[15], 4 hidden \(\d\.\d{4}\)/);
  await w.getByText('Its table').click();
  const rows = w.getByRole('region', { name: /^Results of the sweep of / }).locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await sweep.locator('section[aria-label="Saved sweeps"]').screenshot({ path: `${SHOTS}/results-saved-sweeps.png` });
  const axe = await new AxeBuilder({ page }).include('#iris-sweep').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  // the best row saved is the best row the sweep showed: its learning rate
  const bestLr = /lr (0\.[15])/.exec((await w.textContent())!)![1]!;
  expect(best).toContain(bestLr);

  await w.getByRole('button', { name: /^Delete the sweep of / }).click();
  await w.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(saved()).toHaveCount(0);
  await page.reload();
  await expect(sweep.getByTestId('saved-sweeps-empty')).toBeVisible({ timeout: 60_000 });
});
