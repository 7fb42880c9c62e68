// The step-through of the Iris network (chapter 3): at every step of one mini-batch it
// shows the right shapes for 4 → h → 3 with a batch of m, for the hidden size and batch
// size the chapter's controls set — traced on the page's WebGPU device.

import type { Page } from '@playwright/test';
import { expect, test, waitForDevice } from './fixtures';

/** the 14 operations of one course-path training step of 4 → h → 3 on a batch of m (SGD, lr) */
export function irisStep(m: number, h: number, lr: string): { position: RegExp; shapes: string }[] {
  const upd = (shape: string) => `p ${shape} ← p ${shape} − ${lr} · g ${shape}`;
  return [
    { position: /forward · fc_0$/, shapes: `Y (${m}, ${h}) = ReLU(X (${m}, 4) · W (4, ${h}) + 1·b (1, ${h}))` },
    { position: /forward · fc_1$/, shapes: `Z (${m}, 3) = X (${m}, ${h}) · W (${h}, 3) + 1·b (1, 3)` },
    { position: /loss · loss$/, shapes: `Ŷ (${m}, 3) = softmax(Z (${m}, 3)), L (1) = −(1/m) Σ y (${m}, 3) · ln Ŷ` },
    { position: /backward · loss$/, shapes: `dZ (${m}, 3) = (Ŷ (${m}, 3) − y (${m}, 3))/m` },
    { position: /backward · fc_1$/, shapes: `dW (${h}, 3) = X (${m}, ${h})ᵀ · dZ (${m}, 3)` },
    { position: /backward · fc_1$/, shapes: `db (1, 3) = 1ᵀ·dZ (${m}, 3)` },
    { position: /backward · fc_1$/, shapes: `dX (${m}, ${h}) = dZ (${m}, 3) · W (${h}, 3)ᵀ` },
    { position: /backward · fc_0$/, shapes: `dZ (${m}, ${h}) = dY (${m}, ${h}) ⊙ 1[Y (${m}, ${h}) > 0]` },
    { position: /backward · fc_0$/, shapes: `dW (4, ${h}) = X (${m}, 4)ᵀ · dZ (${m}, ${h})` },
    { position: /backward · fc_0$/, shapes: `db (1, ${h}) = 1ᵀ·dZ (${m}, ${h})` },
    { position: /update · fc_0$/, shapes: upd(`(4, ${h})`) },
    { position: /update · fc_0$/, shapes: upd(`(1, ${h})`) },
    { position: /update · fc_1$/, shapes: upd(`(${h}, 3)`) },
    { position: /update · fc_1$/, shapes: upd('(1, 3)') },
  ];
}

async function setNumber(page: Page, label: string, value: number) {
  const input = page.getByLabel(label, { exact: true });
  await input.fill(String(value));
  await input.press('Enter');
  await expect(input).toHaveValue(String(value));
}

async function walk(page: Page, m: number, h: number) {
  // the cell computes once it is near the viewport
  await page.getByRole('button', { name: 'Trace the next mini-batch' }).scrollIntoViewIfNeeded();
  const st = page.getByRole('group', { name: new RegExp(`Step-through of the Iris network, 4 → ${h} → 3, on a mini-batch of ${m}`) });
  await expect(st).toBeVisible({ timeout: 60_000 });
  const position = st.getByTestId('st-position');
  const shapes = st.getByTestId('st-shapes');
  await st.getByRole('button', { name: /^Operation 1\b/ }).click();
  const expected = irisStep(m, h, '0.1');
  for (let i = 0; i < expected.length; i++) {
    if (i > 0) await st.getByRole('button', { name: 'Step forward' }).click();
    await expect(position).toHaveText(new RegExp(`^Step ${i + 1} of ${expected.length} · `));
    await expect(position).toHaveText(expected[i]!.position);
    await expect(shapes, `step ${i + 1}`).toHaveText(expected[i]!.shapes);
  }
  await expect(st.getByRole('button', { name: 'Step forward' })).toBeDisabled();
  // the input heatmaps carry the same shapes
  await st.getByRole('button', { name: /^Operation 1\b/ }).click();
  await expect(st.getByTestId('st-in-X').locator('.shape-label')).toHaveText(`X (${m}, 4)`);
  await expect(st.getByTestId('st-out-Y').locator('.shape-label')).toHaveText(`Y (${m}, ${h})`);
}

test('the Iris step-through shows the right shapes at every step, for the hidden and batch sizes set', async ({ page }) => {
  await page.goto('/?ch=iris');
  await expect(page.getByRole('heading', { level: 1, name: 'A two-layer network on Iris' })).toBeVisible();
  await waitForDevice(page);
  await setNumber(page, 'Learning rate', 0.1);
  await setNumber(page, 'Hidden size', 8);
  await setNumber(page, 'Batch size', 8);
  await walk(page, 8, 8);
  await expect(page.getByTestId('iris-step-facts')).toContainText('14 operations on WebGPU');

  await setNumber(page, 'Hidden size', 5);
  await setNumber(page, 'Batch size', 12);
  await walk(page, 12, 5);
});

test('End keeps the keyboard in the step-through: arrows and Home still step, and the update steps are in view', async ({ page }) => {
  await page.goto('/?ch=iris');
  await waitForDevice(page);
  await page.getByRole('button', { name: 'Trace the next mini-batch' }).scrollIntoViewIfNeeded();
  const st = page.getByRole('group', { name: /^Step-through of the Iris network/ });
  await expect(st).toBeVisible({ timeout: 60_000 });
  const position = st.getByTestId('st-position');
  const forward = st.getByRole('button', { name: 'Step forward' });
  // from the focused Step forward button, End goes to the last step and disables it
  await forward.click();
  await expect(position).toHaveText(/^Step 2 of 14 · /);
  await forward.press('End');
  await expect(position).toHaveText(/^Step 14 of 14 · update/);
  await expect(forward).toBeDisabled();
  // focus stayed inside the step-through, so the keys go on working
  expect(await st.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('ArrowLeft');
  await expect(position).toHaveText(/^Step 13 of 14 · /);
  await page.keyboard.press('Home');
  await expect(position).toHaveText(/^Step 1 of 14 · /);
  // stepping forward to the last step by hand: the same
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await forward.click();
  await expect(position).toHaveText(/^Step 14 of 14 · /);
  expect(await st.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Home');
  await expect(position).toHaveText(/^Step 1 of 14 · /);
  // at the last step, every update operation of the row is scrolled into view
  await page.keyboard.press('End');
  const row = st.getByRole('list', { name: 'Operations of the step' });
  for (const n of [11, 12, 13, 14]) {
    const visible = await row.evaluate((list, k) => {
      const b = list.querySelectorAll('button')[k - 1]!.getBoundingClientRect();
      const r = list.getBoundingClientRect();
      return b.left >= r.left - 1 && b.right <= r.right + 1;
    }, n);
    expect(visible, `operation ${n} (update) in view`).toBe(true);
  }
});
