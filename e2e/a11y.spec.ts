// Accessibility: axe-core finds no violations in any chapter (names of controls,
// contrast, landmarks, ARIA use), in the state a student first sees and after training.

import AxeBuilder from '@axe-core/playwright';
import { CHAPTERS } from '../src/store/toc';
import { expect, test, waitForDevice } from './fixtures';

type Violation = { id: string; help: string; nodes: { target: unknown; failureSummary?: string }[] };

function summarize(violations: Violation[]): string[] {
  return violations.map(
    (v) =>
      `${v.id}: ${v.help} — ${v.nodes
        .slice(0, 3)
        .map((n) => `${JSON.stringify(n.target)} (${n.failureSummary?.replace(/\s+/g, ' ')})`)
        .join(', ')}`,
  );
}

for (const c of CHAPTERS) {
  test(`chapter "${c.title}" has no accessibility violations`, async ({ page }) => {
    await page.goto(c.id === 'start' ? '/' : `/?ch=${c.id}`);
    // a chapter's script loads when it is opened: check it once it is on the page
    await expect(page.getByRole('heading', { level: 1, name: c.title })).toBeVisible();
    await waitForDevice(page);
    if (c.id === 'start') await expect(page.getByTestId('kernel-check')).toBeVisible({ timeout: 60_000 });
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    expect(summarize(result.violations)).toEqual([]);
  });
}

test('chapter 1 after training, and the CPU-fallback notice, have no accessibility violations', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto('/?ch=hand');
  await expect(page.getByRole('heading', { level: 1, name: 'A network by hand' })).toBeVisible();
  await waitForDevice(page);
  await expect(page.getByRole('status').filter({ hasText: 'Running on the CPU reference backend' })).toBeVisible();
  await page.getByLabel("Show each unit's contribution").check();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => Number((await page.getByLabel('Step', { exact: true }).textContent())?.replace(/,/g, ''))).toBeGreaterThan(200);
  await page.getByRole('button', { name: 'Pause' }).click();
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(summarize(result.violations)).toEqual([]);
});
