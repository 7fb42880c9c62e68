// Chapter 7, the playground: a 3-hidden-layer network trains on the spiral and the boundary
// image changes as it does; a link reproduces the architecture; Step once shows that step's
// gradients; a weight chosen with the keyboard shows its value; a course curve is fitted;
// a diverged run says why; a CSV of the student's trains like a toy set, a malformed one is
// refused and a reload comes back to a generated set.

import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const plot = (page: Page) => page.getByTestId('playground-plot');
/** a number as the page writes it ("−1.2e−3") */
const parse = (text: string | null | undefined) => Number((text ?? '').replace(/−/g, '-'));
const stepCount = async (page: Page) => Number((await page.getByLabel('Step', { exact: true }).textContent())?.replace(/,/g, ''));

/**
 * Trains from step 0 and pauses: the boundary image's fingerprint before, after more than
 * `first` steps, and after 80 more; and the accuracy then (%).
 */
async function trainTwoMoments(page: Page, first: number) {
  const untrained = await plot(page).getAttribute('data-hash');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => stepCount(page)).toBeGreaterThan(first);
  const early = await plot(page).getAttribute('data-hash');
  const earlyStep = await stepCount(page);
  await expect.poll(() => stepCount(page)).toBeGreaterThan(earlyStep + 80);
  await page.getByRole('button', { name: 'Pause' }).click();
  const late = await plot(page).getAttribute('data-hash');
  const accuracy = Number((await page.getByLabel('Accuracy', { exact: true }).textContent())?.replace('%', ''));
  return { untrained, early, late, accuracy };
}

/** the page is up and the network's first picture is drawn */
async function open(page: Page, query = '') {
  await page.goto(`/?ch=playground${query}`);
  await expect(plot(page)).not.toHaveAttribute('data-hash', 'none');
}

test('the spiral with three hidden layers trains, and the boundary image changes between two moments', async ({ page }) => {
  await open(page, '&pg.spf=25');
  await page.getByRole('button', { name: 'Add a layer' }).click();
  await expect(page.getByLabel('Layer 3 width')).toHaveValue('8');
  await expect(page.getByTestId('network-diagram')).toHaveAttribute('aria-label', /2 → 8 → 8 → 8 → 3 units/);
  const { untrained, early, late, accuracy } = await trainTwoMoments(page, 40);
  expect(early).not.toBe(untrained);
  expect(late).not.toBe(early);
  // it learned: well above the 1/3 of guessing
  expect(accuracy).toBeGreaterThan(50);
});

test('the URL reproduces the architecture, loss and optimizer after a reload', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Add a layer' }).click();
  const width = page.getByLabel('Layer 3 width');
  await width.fill('5');
  await width.press('Enter');
  await page.getByLabel('Layer 3 activation').selectOption('relu');
  await page.getByLabel('Layer 1 activation').selectOption('sigmoid');
  await page.getByLabel('Optimizer').selectOption('sgd');
  await page.getByLabel('Data set').selectOption('circles');
  await expect(page).toHaveURL(/pg\.net=8sigmoid%2C8tanh%2C5relu/);
  await expect(page).toHaveURL(/pg\.opt=sgd/);
  await expect(page).toHaveURL(/pg\.data=circles/);

  await page.reload();
  await expect(plot(page)).not.toHaveAttribute('data-hash', 'none');
  await expect(page.getByLabel('Layer 1 activation')).toHaveValue('sigmoid');
  await expect(page.getByLabel('Layer 2 activation')).toHaveValue('tanh');
  await expect(page.getByLabel('Layer 3 width')).toHaveValue('5');
  await expect(page.getByLabel('Layer 3 activation')).toHaveValue('relu');
  await expect(page.getByLabel('Optimizer')).toHaveValue('sgd');
  await expect(page.getByLabel('Learning rate')).toHaveValue('0.3');
  await expect(page.getByLabel('Data set')).toHaveValue('circles');
  await expect(page.getByTestId('network-diagram')).toHaveAttribute('aria-label', /2 → 8 → 8 → 5 → 2 units/);

  // a width out of bounds is refused with its message and changes nothing
  await page.getByLabel('Layer 2 width').fill('2.5');
  await page.getByLabel('Layer 2 width').press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'hidden layer 2: the width must be an integer in [1, 12], got 2.5' })).toBeVisible();
  await expect(page).toHaveURL(/pg\.net=8sigmoid%2C8tanh%2C5relu/);
});

test('Step once runs one step and shows its gradients on the diagram and in the table', async ({ page }) => {
  await open(page);
  const table = page.getByRole('table', { name: /Gradients of step/ });
  const gradient = page.getByLabel('Selected weight gradient');
  await expect(gradient).toHaveText(/no step yet/);

  await page.getByRole('button', { name: 'Step once' }).click();
  await expect(page.getByLabel('Step', { exact: true })).toHaveText('1');
  await expect(table).toHaveAccessibleName('Gradients of step 1, output layer first');
  await expect(page.getByRole('radio', { name: 'gradients of the last step' })).toBeChecked();
  await expect(page.getByTestId('network-diagram')).toHaveAttribute('aria-label', /gradients of step 1/);
  const first = await table.locator('tbody').textContent();
  const firstGradient = await gradient.textContent();
  expect(parse(firstGradient)).not.toBeNaN();

  await page.getByRole('button', { name: 'Step once' }).click();
  await expect(page.getByLabel('Step', { exact: true })).toHaveText('2');
  await expect(table).toHaveAccessibleName('Gradients of step 2, output layer first');
  expect(await table.locator('tbody').textContent()).not.toBe(first);
  expect(await gradient.textContent()).not.toBe(firstGradient);
  // the table lists the output layer first: W3 (output), W2, W1
  await expect(table.locator('tbody th')).toHaveText([/^W3, b3/, /^W2, b2/, /^W1, b1/]);

  // the backward view (diagram, table, ringed mini-batch) has no accessibility violations
  const result = await new AxeBuilder({ page }).include('#playground-net').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
});

test('a weight chosen with the keyboard shows its value and gradient', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Step once' }).click();
  await expect(page.getByLabel('Step', { exact: true })).toHaveText('1');

  // one tab stop into the diagram, then the arrow keys
  await page.getByRole('radio', { name: 'weights' }).check();
  await page.keyboard.press('Tab');
  await expect(page.locator(':focus')).toHaveAttribute('aria-label', /^W1\[1, 1\], from input unit 1 to hidden layer 1 unit 1: value /);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  const focused = page.locator(':focus');
  await expect(focused).toHaveAttribute('aria-label', /^W2\[1, 2\], from hidden layer 1 unit 1 to hidden layer 2 unit 2: value /);
  await expect(page.getByTestId('selected-weight-name')).toHaveText('W2[1, 2]');
  const label = (await focused.getAttribute('aria-label'))!;
  const [, value, grad] = /value (\S+), gradient (\S+)$/.exec(label)!;
  // the panel shows the same numbers, with more digits
  const shown = parse(await page.getByLabel('Selected weight value').textContent());
  const shownGrad = parse(await page.getByLabel('Selected weight gradient').textContent());
  expect(shown).not.toBeNaN();
  expect(shownGrad).not.toBe(0);
  // 4 significant digits in the label
  expect(Math.abs(shown - parse(value))).toBeLessThanOrEqual(Math.abs(shown) * 1e-3);
  expect(Math.abs(shownGrad - parse(grad))).toBeLessThanOrEqual(Math.abs(shownGrad) * 1e-3);

  // Shift+↑ from the first incoming unit goes to the unit's bias
  await page.keyboard.press('Shift+ArrowUp');
  await expect(page.getByTestId('selected-weight-name')).toHaveText('b2[2]');
  await expect(page.locator(':focus')).toHaveAttribute('aria-label', /^b2\[2\], bias to hidden layer 2 unit 2: value /);
});

test("a course curve: squared error only, and the fitted curve is redrawn as the network trains", async ({ page }) => {
  await open(page, '&pg.data=reg1&pg.spf=25');
  await expect(page.getByLabel('Loss', { exact: true })).toBeDisabled();
  await expect(page.getByLabel('Loss', { exact: true })).toHaveValue('mse');
  await expect(plot(page)).toHaveAttribute('aria-label', /13 points and the network's fitted curve after step 0/);
  const untrained = await plot(page).getAttribute('data-hash');
  const lossBefore = parse(await page.getByLabel('Loss over all points', { exact: true }).textContent());
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => stepCount(page), { timeout: 75_000 }).toBeGreaterThan(300);
  await page.getByRole('button', { name: 'Pause' }).click();
  expect(await plot(page).getAttribute('data-hash')).not.toBe(untrained);
  expect(parse(await page.getByLabel('Loss over all points', { exact: true }).textContent())).toBeLessThan(lossBefore / 2);
});

test('a diverged run says why and stops; a lower learning rate starts a new network', async ({ page }) => {
  await open(page, '&pg.data=reg1&pg.net=8relu&pg.opt=sgd&pg.lr=3');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: /The loss became (NaN|Infinity) at step \d+ \(sgd, learning rate 3\)/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Step once' })).toBeDisabled();

  const lr = page.getByLabel('Learning rate');
  await lr.fill('0.1');
  await lr.press('Enter');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByLabel('Step', { exact: true })).toHaveText('0');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  await expect(page).toHaveURL(/pg\.lr=0\.1/);
});

/** two seeded Gaussian clusters, `n` rows, columns x, y and a text label */
function clustersCsv(n = 60): string {
  let s = 2024;
  const u = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const rows = ['x,y,group'];
  for (let i = 0; i < n; i++) {
    const k = i % 2;
    rows.push([(k ? 4 : 1) + 0.7 * normal(), (k ? 1 : 3) + 0.7 * normal()].map((v) => v.toFixed(3)).join(',') + (k ? ',south' : ',north'));
  }
  return rows.join('\n') + '\n';
}

test('a CSV of two features is previewed and trains with its boundary; a malformed one changes nothing; a reload comes back to the spiral', async ({ page }) => {
  await open(page, '&pg.spf=25');
  const own = page.getByRole('group', { name: 'Your CSV' });
  const input = own.getByTestId('file-drop').locator('input[type=file]');
  await input.setInputFiles({ name: 'clusters.csv', mimeType: 'text/csv', buffer: Buffer.from(clustersCsv()) });
  const facts = own.getByTestId('own-facts');
  await expect(facts).toContainText('60 rows', { timeout: 30_000 });
  await expect(facts).toContainText('3 columns (2 features + the label)');
  await expect(facts).toContainText('2 classes');
  await expect(own.getByTestId('own-classes').getByRole('row', { name: 'north 30' })).toBeVisible();
  await expect(own.getByTestId('own-classes').getByRole('row', { name: 'south 30' })).toBeVisible();
  await expect(own.getByTestId('own-rows').getByRole('row')).toHaveCount(6);
  // the file is the data set now, its two columns on the axes
  await expect(page.getByLabel('Data set')).toHaveValue('csv');
  await expect(page.getByLabel('Data set').locator('option:checked')).toHaveText('Your CSV (clusters.csv)');
  await expect(page).toHaveURL(/pg\.data=csv/);
  await expect(plot(page)).toHaveAttribute('aria-label', /^clusters\.csv: 60 points in 2 classes, with the network's decision regions after step 0/);
  await expect(page.locator('.pg-legend')).toContainText('x₁ (across): x · x₂ (up): y');
  await expect(page.getByTestId('network-diagram')).toHaveAttribute('aria-label', /2 → 8 → 8 → 2 units/);
  const { untrained, early, late, accuracy } = await trainTwoMoments(page, 20);
  expect(early).not.toBe(untrained);
  expect(late).not.toBe(early);
  // two clusters three standard deviations apart: nearly every point right
  expect(accuracy).toBeGreaterThan(90);

  // a malformed file: the parser's message with its row and column; the data, the network and its step stay
  const step = await page.getByLabel('Step', { exact: true }).textContent();
  await input.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y,group\n1,2,north\n3,oops,south\n') });
  await expect(own.getByRole('alert')).toContainText("bad.csv CSV row 3, column 'y': 'oops' is not a number");
  await expect(own.getByRole('alert')).toContainText('still using clusters.csv');
  await expect(facts).toContainText('60 rows');
  await expect(page.getByLabel('Data set')).toHaveValue('csv');
  await expect(plot(page)).toHaveAttribute('data-hash', late!);
  await expect(plot(page)).toHaveAttribute('aria-label', /^clusters\.csv: 60 points/);
  await expect(page.getByLabel('Step', { exact: true })).toHaveText(step!);

  // the address cannot carry the file: a reload shows the spiral and says why
  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: 'a link cannot carry a file' })).toBeVisible();
  await expect(page.getByLabel('Data set')).toHaveValue('spiral');
  await expect(page).not.toHaveURL(/pg\.data=/);
  await expect(plot(page)).toHaveAttribute('aria-label', /^Spiral/);
});
