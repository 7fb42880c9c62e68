// Chapter 5, as a student uses it: LeNet trains on MNIST in the worker on WebGPU (here
// SwiftShader, asked for in the URL, and a short epoch: 100 training
// and 100 test images), with progress,
// throughput and the device named; the confusion matrix fills and sums to the images
// evaluated; the filters and feature maps appear; a drawing gets a prediction; a huge
// learning rate ends the run with "diverged at step k" and no NaN on the page; while an
// epoch trains, the loss chart redraws at most once per metric batch (counts; the
// long-task budget is timed in bench/main-thread.bench.ts, not here). The default run, on
// SwiftShader, trains on the backend measured faster there (WebGPU) and says why; the time from Train to its first
// test accuracy is logged (not asserted); a pause refreshes the filters and the confusion
// matrix with the paused step. Screenshots go to /work/shots/lenetsw-*.png.

import AxeBuilder from '@axe-core/playwright';
import { expect, test, waitForDevice } from './fixtures';
import { countPageWork, pageWork, watchRedraws } from './main-thread';

const QUICK = '/?ch=lenet&lenet.n=100&lenet.test=100&lenet.bs=50&lenet.dev=webgpu';
const SHOTS = '/work/shots';

// Playwright's trace recorder snapshots the DOM on the page's main thread, which slows
// SwiftShader's training several times over
test.use({ trace: 'off' });

test('the chapter renders its cells and labelled controls', async ({ page }) => {
  await page.goto('/?ch=lenet');
  await expect(page.getByRole('heading', { level: 1, name: 'LeNet on MNIST' })).toBeVisible();
  await waitForDevice(page);
  for (const t of ['One epoch of LeNet, live', 'Filters and feature maps', 'Confusion matrix and misclassified digits', 'Draw a digit']) {
    await expect(page.getByRole('heading', { name: t })).toBeVisible();
  }
  for (const name of ['Learning rate', 'Batch size', 'Epochs', 'Examples per epoch', 'Test images', 'Seed']) {
    await expect(page.getByLabel(name, { exact: true })).toBeVisible();
  }
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Reset', exact: true })).toBeDisabled();
  await expect(page.getByRole('heading', { name: 'More cells planned for this chapter' })).toHaveCount(0);
  // the defaults: a short epoch of 1 000 examples on 500 test images; the full epoch one button away
  await expect(page.getByLabel('Examples per epoch', { exact: true })).toHaveValue('1000');
  await expect(page.getByLabel('Examples per epoch', { exact: true }).locator('option:checked')).toHaveText('1,000');
  await expect(page.getByLabel('Test images', { exact: true })).toHaveValue('500');
  await expect(page.getByRole('button', { name: 'Train on the full epoch (60,000 examples)' })).toBeEnabled();

  // the settings live in the URL, and a reload restores them
  await page.getByLabel('Learning rate', { exact: true }).fill('0.003');
  await page.getByLabel('Learning rate', { exact: true }).press('Enter');
  await page.getByLabel('Batch size', { exact: true }).fill('32');
  await page.getByLabel('Batch size', { exact: true }).press('Tab');
  await page.getByLabel('Test images', { exact: true }).selectOption('2000');
  await expect.poll(() => new URL(page.url()).searchParams.get('lenet.bs')).toBe('32');
  const url = new URL(page.url());
  expect([url.searchParams.get('lenet.lr'), url.searchParams.get('lenet.test')]).toEqual(['0.003', '2000']);
  await page.reload();
  await expect(page.getByLabel('Learning rate', { exact: true })).toHaveValue('0.003');
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue('32');
  await expect(page.getByLabel('Test images', { exact: true })).toHaveValue('2000');
  // a bad value is refused with a message, the setting is kept
  await page.getByLabel('Batch size', { exact: true }).fill('0');
  await page.getByLabel('Batch size', { exact: true }).press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'at least 1' })).toBeVisible();
  expect(new URL(page.url()).searchParams.get('lenet.bs')).toBe('32');
});

test('a short epoch trains on WebGPU, fills the confusion matrix, and a drawing is predicted', async ({ page }) => {
  test.setTimeout(170_000);
  await countPageWork(page);
  await page.goto(QUICK);
  await expect(page.getByRole('heading', { level: 1, name: 'LeNet on MNIST' })).toBeVisible();
  await waitForDevice(page);
  await expect(page.getByLabel('Examples per epoch', { exact: true })).toHaveValue('100');

  const t0 = Date.now();
  const mark = (what: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  // the worker runs on WebGPU and names its adapter
  const device = page.getByLabel('Training device', { exact: true });
  await expect(device).toHaveText(/^WebGPU · .+/, { timeout: 60_000 });
  const epoch = page.getByRole('progressbar', { name: /Epoch 1 of 1/ });
  await expect(epoch).toBeVisible();
  await expect(epoch).toHaveAttribute('aria-valuemax', '2'); // ⌈100 / 50⌉ steps
  // throughput appears while the epoch runs (or is kept once it is done)
  const speed = page.getByLabel('Examples per second', { exact: true });
  await expect.poll(async () => Number((await speed.textContent())?.replace(/,/g, '')), { timeout: 90_000 }).toBeGreaterThan(0);
  await expect(page.getByText(/^done$/)).toBeVisible({ timeout: 120_000 });
  await expect(epoch).toHaveAttribute('aria-valuenow', '2');
  const acc = page.getByLabel('Test accuracy', { exact: true });
  await expect(acc).toHaveText(/^\d+\.\d\d%$/);
  await expect(page.locator('.chart .recharts-line-curve').first()).toBeVisible();
  mark(`epoch of 100 done on ${await device.textContent()}: ${await speed.textContent()} examples/s, test accuracy ${await acc.textContent()}`);

  // the confusion matrix: 10 × 10 counts that add up to the 100 test images
  const matrix = page.getByRole('table', { name: /Confusion matrix on the test set/ });
  await expect(matrix).toBeVisible({ timeout: 60_000 });
  const cells = matrix.locator('tbody td.cm-cell');
  await expect(cells).toHaveCount(100);
  const counts = (await cells.allTextContents()).map(Number);
  expect(counts.every((c) => Number.isInteger(c) && c >= 0)).toBe(true);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
  await expect(matrix.getByRole('columnheader', { name: '7', exact: true })).toBeVisible();
  await expect(matrix.getByRole('rowheader', { name: '7', exact: true })).toBeVisible();
  // the diagonal is the accuracy the session measured
  const diagonal = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((s, i) => s + counts[i * 10 + i]!, 0);
  expect(`${((100 * diagonal) / 100).toFixed(2)}%`).toBe(await acc.textContent());
  const wrong = 100 - diagonal;
  await expect(page.getByRole('heading', { name: new RegExp(`^Misclassified test images: ${wrong} of 100`) })).toBeVisible();
  await expect(page.locator('.mistake-grid button')).toHaveCount(Math.min(48, wrong));
  mark('confusion matrix');

  // filters and the feature maps of the chosen test image
  await expect(page.getByRole('img', { name: /^filter 1: 5 × 5/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^map 6: 28 × 28/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^map 16: 10 × 10/ })).toBeVisible();
  const slider = page.getByRole('slider', { name: 'Test image' });
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect(slider).toHaveAttribute('aria-valuetext', '#1');
  await expect(page.getByLabel('Predicted class of the test image')).toHaveText(/^\d$/);

  // draw a 1: a vertical stroke on the pad
  const prediction = page.getByLabel('Prediction for the drawing', { exact: true });
  await expect(prediction).toHaveText('—');
  const pad = page.getByRole('img', { name: 'Drawing pad for a digit' });
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let k = 1; k <= 12; k++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + 0.06 * k));
  await page.mouse.up();
  await expect(prediction).toHaveText(/^\d \(\d+\.\d%\)$/);
  await expect(page.getByRole('img', { name: /The drawing as the network sees it/ })).toBeVisible();
  mark('drawing predicted');

  // the keyboard's way: load the chosen test image into the pad; Clear empties it
  await page.getByRole('button', { name: 'Load test image #1 into the pad' }).click();
  await expect(prediction).toHaveText(/^\d \(\d+\.\d%\)$/);
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(prediction).toHaveText('—');

  // choosing a mistake cell of the matrix narrows the grid to that pair; axe finds nothing in the trained page
  const pairButton = matrix.getByRole('button', { name: /^\d+ images? of \d predicted as \d$/ }).first();
  const [, n, t, p] = (await pairButton.getAttribute('aria-label'))!.match(/^(\d+) images? of (\d) predicted as (\d)$/)!;
  await pairButton.click();
  await expect(pairButton).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('heading', { name: new RegExp(`^${t} predicted as ${p}: ${n} images?`) })).toBeVisible();
  await expect(page.locator('.mistake-grid button')).toHaveCount(Math.min(48, Number(n)));
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((x) => x.target).join(' ')}`)).toEqual([]);

  // a second epoch, watched: the page keeps the main thread free while the worker trains
  // and the page refreshes the model shown in the draw pad (on screen now)
  await page.getByLabel('Epochs', { exact: true }).fill('2');
  await page.getByLabel('Epochs', { exact: true }).press('Enter');
  const work0 = await pageWork(page);
  const redraws = await watchRedraws(page.getByRole('figure', { name: /^Cross-entropy loss while training LeNet/ }));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-state')).toHaveText('done', { timeout: 90_000 });
  await expect(page.getByText(/^Predictions of the model after step 4 /)).toBeVisible({ timeout: 60_000 });
  const drawn = await redraws.stop();
  const batches = (await pageWork(page)).metricBatches - work0.metricBatches;
  mark(`second epoch: the loss chart redrew ${drawn.redraws} times for ${batches} metric batches`);
  expect(batches).toBeGreaterThanOrEqual(1);
  expect(drawn.redraws).toBeGreaterThanOrEqual(1);
  expect(drawn.redraws, `${drawn.redraws} redraws for ${batches} metric batches`).toBeLessThanOrEqual(batches + 1);

  // a third epoch at an absurd learning rate: float32 overflows, and the run says where
  await page.getByLabel('Epochs', { exact: true }).fill('3');
  await page.getByLabel('Epochs', { exact: true }).press('Enter');
  await page.getByLabel('Learning rate', { exact: true }).fill('100000000');
  await page.getByLabel('Learning rate', { exact: true }).press('Enter');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: /diverged at step [56] / })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  // the alert says the loss became NaN; no number on the page is one
  for (const shown of [page.locator('#lenet-train .session-status'), page.getByTestId('epoch-table'), page.locator('#lenet-inside'), page.locator('#lenet-confusion')]) {
    await expect(shown).not.toContainText('NaN');
  }
  mark('diverged');

  // Reset: a new model from the seed; a changed data setting makes Reset start a new session
  await page.getByLabel('Learning rate', { exact: true }).fill('0.001');
  await page.getByLabel('Learning rate', { exact: true }).press('Enter');
  await page.getByLabel('Examples per epoch', { exact: true }).selectOption('500');
  await expect(page.getByText('The data settings, the seed or the device changed: Reset starts a new run with them.')).toBeVisible();
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(page.getByTestId('training-state')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByText(/^MNIST: 500 training and 100 test images/)).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: /diverged/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  await expect(page.getByLabel('Step', { exact: true })).toHaveText('0');
  await expect(page.getByText('No points yet')).toBeVisible();
  mark('reset');
});

test('on a software adapter the default run trains on the faster backend and says why; a pause refreshes filters and confusion matrix', async ({ page }) => {
  test.setTimeout(400_000);
  // the defaults, with three epochs so that the run is still going after the first accuracy
  await page.goto('/?ch=lenet&lenet.ep=3');
  await waitForDevice(page);
  const cell = page.locator('#lenet-train');
  const why = cell.getByRole('status').filter({ hasText: /^Training on WebGPU:/ });
  await expect(why).toContainText(
    /this page's WebGPU adapter is SwiftShader, a software renderer, on which WebGPU trains LeNet about \d+\.\d× faster than the CPU reference/,
  );
  const anyway = cell.getByRole('checkbox', { name: 'Train on the CPU reference anyway' });
  await expect(anyway).not.toBeChecked();

  const t0 = Date.now();
  await cell.getByRole('button', { name: 'Train', exact: true }).click();
  const device = cell.getByLabel('Training device', { exact: true });
  await expect(device).toHaveText(/^WebGPU · .*swiftshader/i, { timeout: 60_000 });
  await expect(cell.getByText(/^MNIST: 1,000 training and 500 test images/)).toBeVisible();
  const acc = cell.getByLabel('Test accuracy', { exact: true });
  await expect(acc).toHaveText(/^\d+\.\d\d%$/, { timeout: 300_000 });
  const firstAccuracyS = (Date.now() - t0) / 1000;
  const speed = await cell.getByLabel('Examples per second', { exact: true }).textContent();
  console.log(`Train → first test accuracy (${await acc.textContent()} on 500 test images after 1 000 examples): ${firstAccuracyS.toFixed(1)} s on ${await device.textContent()}, ${speed} examples/s`);
  await cell.screenshot({ path: `${SHOTS}/lenetsw-first-accuracy.png` });

  // the filters on screen, so the page fetches the parameters while the loop runs; then a pause
  const filtersTitle = page.locator('#lenet-inside .map-grid-title').first();
  await filtersTitle.scrollIntoViewIfNeeded();
  await page.waitForTimeout(2_000);
  await expect(cell.getByTestId('training-state')).toHaveText('training');
  await cell.getByRole('button', { name: 'Pause' }).click();
  await expect(cell.getByTestId('training-state')).toHaveText('paused', { timeout: 60_000 });
  const step = Number((await cell.getByLabel('Step', { exact: true }).textContent())!.replace(/,/g, ''));
  expect(step).toBeGreaterThan(16); // past the first epoch's ⌈1 000 / 64⌉ steps
  // the filters name the paused step, not the first one
  await expect(filtersTitle).toHaveText(new RegExp(`after step ${step.toLocaleString('en-US')}$`), { timeout: 60_000 });
  // the confusion matrix: the paused model's predictions, counts adding up to the 500 test images
  await expect(page.getByText(new RegExp(`^Predictions of the model after step ${step.toLocaleString('en-US')} on 500 test images`))).toBeVisible({ timeout: 120_000 });
  const matrix = page.getByRole('table', { name: /Confusion matrix on the test set/ });
  const counts = (await matrix.locator('tbody td.cm-cell').allTextContents()).map(Number);
  expect(counts).toHaveLength(100);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(500);
  console.log(`paused at step ${step}: filters and confusion matrix after step ${step}`);
  await cell.scrollIntoViewIfNeeded();
  await cell.screenshot({ path: `${SHOTS}/lenetsw-paused.png` });
  await page.locator('#lenet-inside').screenshot({ path: `${SHOTS}/lenetsw-paused-filters.png` });

  // the CPU reference anyway: a changed device waits for a new run, and the note says which runs
  await anyway.check();
  await expect(cell.getByText(/Reset starts a new run with them/)).toBeVisible();
  await expect(cell.getByRole('status').filter({ hasText: /^Training on the CPU reference, as asked: .*WebGPU trains LeNet about \d+\.\d× faster/ })).toBeVisible();
  await expect.poll(() => new URL(page.url()).searchParams.get('lenet.dev')).toBe('cpu');
  await cell.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(device).toHaveText('float64 CPU reference', { timeout: 60_000 });
});

test.describe('the draw pad', () => {
  test.use({ hasTouch: true });
  test('takes strokes from touch and pen, and Clear empties it', async ({ page }) => {
    await page.goto('/?ch=lenet');
    await waitForDevice(page);
    const pad = page.getByRole('img', { name: 'Drawing pad for a digit' });
    await pad.scrollIntoViewIfNeeded();
    const box = (await pad.boundingBox())!;
    const seen = page.getByRole('img', { name: /The drawing as the network sees it/ });
    await expect(seen).toHaveCount(0);
    // a finger: touch events through the browser's input pipeline
    const cdp = await page.context().newCDPSession(page);
    const x = box.x + box.width / 2;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: box.y + 40 }] });
    for (let k = 1; k <= 10; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: box.y + 40 + 20 * k }] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect(seen).toBeVisible();
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(seen).toHaveCount(0);
    // a pen, with pressure
    await pad.evaluate((el, b) => {
      const ev = (type: string, y: number) =>
        el.dispatchEvent(new PointerEvent(type, { pointerType: 'pen', pointerId: 7, pressure: 0.5, clientX: b.x + b.width / 2, clientY: y, bubbles: true, button: 0, buttons: 1 }));
      ev('pointerdown', b.y + 40);
      for (let k = 1; k <= 10; k++) ev('pointermove', b.y + 40 + 20 * k);
      ev('pointerup', b.y + 240);
    }, box);
    await expect(seen).toBeVisible();
    // without a trained model there is nothing to predict yet, and the cell says so
    await expect(page.getByLabel('Prediction for the drawing', { exact: true })).toHaveText('—');
    await expect(page.getByText('The prediction needs a model: press Train in cell 5.1')).toBeVisible();
  });
});
