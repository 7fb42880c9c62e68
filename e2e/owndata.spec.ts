// The student's own data in the Iris chapter, as a student uses it: a CSV made here (two
// Gaussian blobs in 3-D, a text label column) dropped on the drop zone, the preview's
// counts, the label column, a malformed file refused with the parser's message naming its
// row and column while the data in use and cell 3.2 stay as they were, then Train: the
// chapter's network reaches better than chance on the file's test split.

import { gzipSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

const SHOTS = '/work/shots';

test.use({ trace: 'off' });

/** two Gaussian blobs (seeded), `n` rows each, columns x1, x2, x3, kind */
function blobsCsv(n = 40): string {
  let s = 12345;
  const u = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const rows = ['x1,x2,x3,kind'];
  for (let i = 0; i < 2 * n; i++) {
    const k = i % 2;
    const c = k ? [2, 1, -1] : [-2, 0, 1];
    rows.push([...c.map((m) => (m + 0.8 * normal()).toFixed(3)), k ? 'right' : 'left'].join(','));
  }
  return rows.join('\n') + '\n';
}

/** drops files on the zone as a drag from the desktop would (a DataTransfer on a drop event) */
async function dropFiles(page: Page, zone: Locator, files: { name: string; bytes: number[] }[]): Promise<void> {
  const dt = await page.evaluateHandle((fs) => {
    const d = new DataTransfer();
    for (const f of fs) d.items.add(new File([new Uint8Array(f.bytes)], f.name));
    return d;
  }, files);
  await zone.dispatchEvent('dragover', { dataTransfer: dt });
  await zone.dispatchEvent('drop', { dataTransfer: dt });
}

async function openOwn(page: Page): Promise<{ own: Locator; main: Locator }> {
  await page.goto('/?ch=iris&iris.dev=cpu');
  const main = page.locator('#iris-train');
  await expect(main.getByTestId('training-state')).toHaveText('ready', { timeout: 60_000 });
  const own = page.locator('#iris-own');
  await own.scrollIntoViewIfNeeded();
  await expect(own.getByRole('group', { name: 'Your data file' })).toBeVisible();
  return { own, main };
}

test('a dropped CSV is previewed, a malformed one refused with its row and column, and the MLP trains on the CSV', async ({ page }) => {
  const { own, main } = await openOwn(page);
  const lrBefore = await main.getByLabel('Learning rate', { exact: true }).inputValue();

  await dropFiles(page, own.getByTestId('file-drop'), [{ name: 'blobs.csv', bytes: [...Buffer.from(blobsCsv())] }]);
  const facts = own.getByTestId('own-facts');
  await expect(facts).toContainText('80 rows', { timeout: 30_000 });
  await expect(facts).toContainText('4 columns (3 features + the label)');
  await expect(facts).toContainText('2 classes');
  await expect(facts).toContainText('split 64 train / 16 test');
  await expect(own.getByRole('list', { name: 'Files in use' })).toContainText('blobs.csv');
  const classes = own.getByTestId('own-classes');
  await expect(classes.getByRole('row', { name: 'left 40' })).toBeVisible();
  await expect(classes.getByRole('row', { name: 'right 40' })).toBeVisible();
  // the text column is the label by default (the last column)
  const label = own.getByLabel('Label column');
  await expect(label.locator('option:checked')).toHaveText('kind');
  await expect(own.getByTestId('own-rows').getByRole('row')).toHaveCount(6);
  await expect(own).toContainText("standardized with the mean and standard deviation of the train split only");
  await own.getByTestId('own-preview').scrollIntoViewIfNeeded();
  await own.screenshot({ path: `${SHOTS}/owndata-preview.png` });
  const axe = await new AxeBuilder({ page }).include('#iris-own').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // with x1 as the label, the text column becomes a feature: the parser refuses it, and nothing changes
  await label.selectOption({ label: 'x1' });
  const alert = own.getByRole('alert');
  await expect(alert).toContainText("blobs.csv CSV row 2, column 'kind': 'left' is not a number");
  await expect(label.locator('option:checked')).toHaveText('kind');

  // malformed files, chosen with the file picker: a non-number, then a ragged row
  const input = own.getByTestId('file-drop').locator('input[type=file]');
  const bad = 'x1,x2,x3,kind\n1,2,3,left\n4,abc,6,right\n';
  await input.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await expect(alert).toContainText("bad.csv CSV row 3, column 'x2': 'abc' is not a number");
  await expect(alert).toContainText('still using blobs.csv');
  await own.screenshot({ path: `${SHOTS}/owndata-malformed.png` });
  await input.setInputFiles({ name: 'ragged.csv', mimeType: 'text/csv', buffer: Buffer.from('x1,x2,x3,kind\n1,2,3,left\n4,5,right\n') });
  await expect(alert).toContainText('ragged.csv CSV row 3 has 3 cells, header has 4');
  // the data in use, cell 3.2's session and its settings: as they were
  await expect(facts).toContainText('80 rows');
  await expect(main.getByTestId('training-state')).toHaveText('ready');
  await expect(main.getByLabel('Learning rate', { exact: true })).toHaveValue(lrBefore);

  // train the chapter's network on the dropped CSV
  await own.getByLabel('Epochs on your data').fill('20');
  await own.getByLabel('Epochs on your data').press('Enter');
  await own.getByRole('group', { name: 'Training' }).getByRole('button', { name: 'Train', exact: true }).click();
  await expect(own.getByTestId('training-state')).toHaveText('done', { timeout: 60_000 });
  const acc = Number(await own.getByLabel('Test accuracy', { exact: true }).textContent());
  // two classes: chance is 0.5
  expect(acc).toBeGreaterThan(0.75);
  await expect(own.getByTestId('epoch-table').getByRole('row')).toHaveCount(21);
  // the file has a train and a test split, no validation split: the chart has no empty curve for one
  await expect(own.getByText('test accuracy', { exact: true }).first()).toBeVisible();
  await expect(own.getByText('validation accuracy', { exact: true })).toHaveCount(0);
  // the network's output layer has the file's 2 classes, its input the 3 features
  await expect(main.getByTestId('training-state')).toHaveText('ready');
});

test('a malformed first file shows the message and no preview; keyboard reaches the file picker', async ({ page }) => {
  const { own } = await openOwn(page);
  const choose = own.getByRole('button', { name: 'Choose a file', exact: true });
  // Enter on the focused button opens the picker
  const chooser = page.waitForEvent('filechooser', { timeout: 15_000 });
  await choose.press('Enter');
  await (await chooser).setFiles({ name: 'empty-cell.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,label\n1,,x\n2,3,y\n') });
  await expect(own.getByRole('alert')).toContainText("empty-cell.csv CSV row 2, column 'b' is empty (missing value)");
  await expect(own.getByTestId('own-preview')).toHaveCount(0);
  // a file type the cell does not read is refused by name before it is parsed
  await own.getByTestId('file-drop').locator('input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([137, 80, 78, 71]) });
  await expect(own.getByRole('alert')).toContainText('photo.png: not a file this cell reads');
});

/** an idx3 images file (n, side, side) and its idx1 labels: class 1 is bright in the top half, class 0 in the bottom half */
function idxPair(n: number, side: number): { images: Buffer; labels: Buffer } {
  const images = Buffer.alloc(16 + n * side * side);
  images.writeUInt32BE(0x0803, 0);
  images.writeUInt32BE(n, 4);
  images.writeUInt32BE(side, 8);
  images.writeUInt32BE(side, 12);
  const labels = Buffer.alloc(8 + n);
  labels.writeUInt32BE(0x0801, 0);
  labels.writeUInt32BE(n, 4);
  for (let i = 0; i < n; i++) {
    const k = i % 2;
    labels[8 + i] = k;
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) images[16 + (i * side + y) * side + x] = (y < side / 2) === (k === 1) ? 200 + ((x + i) % 50) : (x * 7 + i) % 40;
  }
  return { images, labels };
}

test('LeNet chapter: an idx.gz pair is previewed with its images and trains; a misfit shape and a broken CIFAR batch are refused', async ({ page }) => {
  await page.goto('/?ch=lenet');
  const own = page.locator('#lenet-own');
  await own.scrollIntoViewIfNeeded();
  const zone = own.getByTestId('file-drop');
  const alert = own.getByRole('alert');

  // images too small for LeNet's kernels and pools: refused with the shape
  const tiny = idxPair(10, 4);
  await dropFiles(page, zone, [
    { name: 'tiny-images.idx3', bytes: [...tiny.images] },
    { name: 'tiny-labels.idx1', bytes: [...tiny.labels] },
  ]);
  await expect(alert).toContainText("LeNet's layers do not fit images of 4 × 4 × 1", { timeout: 30_000 });
  await expect(own.getByTestId('own-preview')).toHaveCount(0);

  const { images, labels } = idxPair(40, 28);
  await dropFiles(page, zone, [
    { name: 'my-labels-idx1-ubyte.gz', bytes: [...gzipSync(labels)] },
    { name: 'my-images-idx3-ubyte.gz', bytes: [...gzipSync(images)] },
  ]);
  const facts = own.getByTestId('own-facts');
  await expect(facts).toContainText('40 images', { timeout: 30_000 });
  await expect(facts).toContainText('each 28 × 28 × 1');
  await expect(facts).toContainText('2 classes');
  await expect(own.getByTestId('own-classes').getByRole('row', { name: '0 20' })).toBeVisible();
  await expect(own.getByTestId('own-images').getByRole('img')).toHaveCount(8);
  await expect(own.getByRole('img', { name: 'image 2, class 1' })).toBeVisible();
  await own.getByTestId('own-preview').screenshot({ path: `${SHOTS}/owndata-idx-preview.png` });

  // a CIFAR-10 batch with a byte missing: the parser's message, the idx pair still in use
  await own.getByTestId('file-drop').locator('input[type=file]').setInputFiles({ name: 'data_batch_1.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(3 * 3073 - 1) });
  await expect(alert).toContainText('data_batch_1.bin: 9218 bytes is not a whole number of 3073-byte records');
  await expect(alert).toContainText('still using my-labels-idx1-ubyte.gz and my-images-idx3-ubyte.gz');
  await expect(facts).toContainText('40 images');

  await own.getByRole('group', { name: 'Training' }).getByRole('button', { name: 'Train', exact: true }).click();
  await expect(own.getByTestId('training-state')).toHaveText('done', { timeout: 80_000 });
  await expect(own.getByLabel('Test accuracy', { exact: true })).toHaveText(/^[01]\.\d{3}$/);
  await expect(own.getByTestId('session-device')).toBeVisible();
});
