// Faults, provoked on purpose through the page's test hooks (the URL's faults=1 installs
// window.__backpropFaults; src/store/faults.ts): a training worker that crashes, and a
// GPU device that is lost. In each case the page says what happened and how to go on,
// and going on works. Screenshots of both pages go to test-results/faults/.

import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test, waitForDevice } from './fixtures';

const SHOTS = 'test-results/faults';

// what the provoked faults log on purpose: the worker's uncaught error, the device loss
test.use({ trace: 'off', expectedErrors: /simulated crash \(a test fault\)|\[webgpu\] device lost \(destroyed\)/ });

async function number(page: Page, label: string): Promise<number> {
  return Number(((await page.locator('#iris-train').getByLabel(label, { exact: true }).textContent()) ?? '').replace(/,/g, ''));
}

async function fault(page: Page, what: 'crashTrainingWorkers' | 'loseDevices'): Promise<number> {
  return page.evaluate((w) => (window as unknown as { __backpropFaults: Record<string, () => number> }).__backpropFaults[w]!(), what);
}

test('a training worker that crashes: the cell says so, and a new worker trains again', async ({ page }) => {
  await page.goto('/?ch=iris&iris.dev=cpu&faults=1');
  const cell = page.locator('#iris-train');
  const state = cell.getByTestId('training-state');
  await expect(state).toHaveText('ready', { timeout: 60_000 });
  await cell.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => number(page, 'Step'), { timeout: 30_000 }).toBeGreaterThan(20);

  expect(await fault(page, 'crashTrainingWorkers')).toBe(1);
  const notice = cell.getByTestId('worker-stopped');
  await expect(notice).toContainText('Iris training: the training worker stopped: Uncaught Error: simulated crash (a test fault)');
  await expect(state).toHaveText('worker stopped');
  // nothing hangs: Train and Pause are off, the way on is the labelled button
  await expect(cell.getByRole('button', { name: 'Pause', exact: true })).toBeDisabled();
  const restart = cell.getByRole('button', { name: 'Start a new training worker' });
  await expect(restart).toBeEnabled();
  await notice.scrollIntoViewIfNeeded();
  await cell.screenshot({ path: `${SHOTS}/worker-crashed.png` });
  const axe = await new AxeBuilder({ page }).include('#iris-train').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  await restart.focus();
  await page.keyboard.press('Enter');
  await expect(state).toHaveText('ready', { timeout: 60_000 });
  await expect(notice).toHaveCount(0);
  await cell.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => number(page, 'Step'), { timeout: 30_000 }).toBeGreaterThan(5);
  await cell.getByRole('button', { name: 'Pause' }).click();
  await expect(state).toHaveText('paused');
  await cell.screenshot({ path: `${SHOTS}/worker-restarted.png` });
});

test('a lost GPU device: the page requests a new one, and training goes on from the last parameters read back', async ({ page }) => {
  await page.goto('/?ch=iris&iris.ep=2000&faults=1');
  await waitForDevice(page);
  const cell = page.locator('#iris-train');
  const state = cell.getByTestId('training-state');
  await expect(state).toHaveText('ready', { timeout: 60_000 });
  await expect(cell.getByTestId('session-device')).toContainText('WebGPU');
  await cell.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => number(page, 'Step'), { timeout: 60_000 }).toBeGreaterThan(30);

  // the page's device and the worker's
  expect(await fault(page, 'loseDevices')).toBe(2);
  const pageNotice = page.getByTestId('device-lost');
  await expect(pageNotice.locator('p')).toContainText(/^GPU device lost \(reason: destroyed\): [^]*[^.]\. /);
  await expect(pageNotice).toContainText('The notebook requested a new device and runs on it', { timeout: 60_000 });
  await expect(page.getByTestId('device-badge')).toContainText(/^WebGPU · /);
  const note = cell.getByTestId('session-new-device');
  await expect(note).toContainText(/Continued on a new device \(.+\) from step \d+, the parameters last read back/, { timeout: 60_000 });
  await expect(note).toContainText('Press Train to go on.');
  await expect(state).toHaveText('paused');
  const from = await number(page, 'Step');
  expect(from).toBeGreaterThan(0);
  // nothing else is reported as an error: the interrupted request is part of the note
  await expect(cell.getByRole('alert')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/device-lost.png` });
  await pageNotice.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/device-lost-page-notice.png` });

  await cell.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => number(page, 'Step'), { timeout: 60_000 }).toBeGreaterThan(from + 10);
  await cell.getByRole('button', { name: 'Pause' }).click();
  await expect(state).toHaveText('paused');
  await expect(note).toHaveCount(0); // said once; the run has gone on since
  await expect(cell.locator('.session-status')).not.toContainText('NaN');
  await cell.screenshot({ path: `${SHOTS}/device-lost-continued.png` });
});

test("chapter 5's own worker (training and inspection) that crashes: the cell says so, and a new worker trains", async ({ page }) => {
  await page.goto('/?ch=lenet&lenet.n=100&lenet.test=100&lenet.bs=50&lenet.ep=3&faults=1');
  await waitForDevice(page);
  const state = page.getByTestId('training-state');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByLabel('Training device', { exact: true })).toHaveText(/^WebGPU · .+/, { timeout: 60_000 });
  await expect.poll(async () => Number(await page.getByLabel('Step', { exact: true }).textContent()), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);

  expect(await fault(page, 'crashTrainingWorkers')).toBe(1);
  const notice = page.getByTestId('worker-stopped');
  await expect(notice).toContainText('LeNet: the training worker stopped: Uncaught Error: simulated crash (a test fault)');
  await expect(state).toHaveText('worker stopped');
  await expect(page.getByRole('button', { name: 'Pause', exact: true })).toBeDisabled();
  await notice.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/lenet-worker-crashed.png` });

  await page.getByRole('button', { name: 'Start a new training worker' }).click();
  await expect(state).toHaveText('ready', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(state).toHaveText('done', { timeout: 120_000 });
  // the inspection requests go to the new worker: the confusion matrix fills
  await expect(page.getByRole('table', { name: /Confusion matrix on the test set/ })).toBeVisible({ timeout: 60_000 });
});
