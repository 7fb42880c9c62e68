// Shared test fixture: every test fails if the page logs a console error or throws —
// except the errors a test provokes on purpose and names (`expectedErrors`, one pattern).

import { test as base, expect, type Page } from '@playwright/test';

export const test = base.extend<{ consoleErrors: string[]; expectedErrors: RegExp | null }>({
  expectedErrors: [null, { option: true }],
  consoleErrors: [
    async ({ page, expectedErrors }, use) => {
      const errors: string[] = [];
      const unexpected = (text: string) => !expectedErrors?.test(text);
      page.on('console', (m) => {
        if (m.type() === 'error' && unexpected(m.text())) errors.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => {
        if (unexpected(e.message)) errors.push(`uncaught: ${e.message}`);
      });
      await use(errors);
      expect(errors, 'the page logged errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** the device request and kernel check have settled (badge no longer pending) */
export async function waitForDevice(page: Page): Promise<void> {
  await expect(page.getByTestId('device-badge')).not.toHaveText(/Requesting/, { timeout: 60_000 });
}

/** the value cell of a row of the derivative table, by the row's name, e.g. "∂L/∂w1[1]" */
export function derivativeValue(page: Page, name: string) {
  return page
    .getByRole('table', { name: /Every partial derivative/ })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name, exact: true }) })
    .getByRole('cell')
    .nth(2);
}
