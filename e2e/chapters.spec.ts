// Every chapter renders — title, typeset math, no TeX errors, no console errors — and
// the chapter list navigates (with the browser's back button too).

import { CHAPTERS } from '../src/store/toc';
import { expect, test, waitForDevice } from './fixtures';

test('every chapter renders from the navigation with no console error', async ({ page }) => {
  await page.goto('/');
  await waitForDevice(page);
  const nav = page.getByRole('navigation', { name: 'Chapters' });
  for (const c of CHAPTERS) {
    await nav.getByRole('link', { name: new RegExp(c.title) }).click();
    const heading = page.getByRole('heading', { level: 1, name: c.title });
    await expect(heading).toBeVisible();
    await expect(nav.getByRole('link', { name: new RegExp(c.title) })).toHaveAttribute('aria-current', 'page');
    // math typeset by KaTeX (the preface writes its few formulas in HTML, so that the first
    // page loads without the typesetter), and none of it failed
    if (c.number > 0) await expect(page.locator('main .katex').first()).toBeVisible();
    await expect(page.locator('main .math-error')).toHaveCount(0);
    if (c.number > 0) expect(new URL(page.url()).searchParams.get('ch')).toBe(c.id);
  }
});

test('chapter 2 shows the WGSL the engine runs', async ({ page }) => {
  await page.goto('/?ch=layers');
  const src = page.getByLabel('WGSL source of matmul');
  await expect(src).toBeVisible();
  await expect(src).toContainText('@compute');
  await expect(page.getByText(/No shader named/)).toHaveCount(0);
});

test('back and forward move between chapters', async ({ page }) => {
  await page.goto('/?ch=hand');
  await expect(page.getByRole('heading', { level: 1, name: 'A network by hand' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Chapters' }).getByRole('link', { name: /Convolution and pooling/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Convolution and pooling' })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'A network by hand' })).toBeVisible();
  await page.goForward();
  await expect(page.getByRole('heading', { level: 1, name: 'Convolution and pooling' })).toBeVisible();
});

test('the chapter list is keyboard operable', async ({ page }) => {
  await page.goto('/');
  const link = page.getByRole('navigation', { name: 'Chapters' }).getByRole('link', { name: /A network by hand/ });
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'A network by hand' })).toBeFocused();
});

test('on a phone-sized screen no chapter scrolls sideways', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const c of CHAPTERS) {
    await page.goto(c.id === 'start' ? '/' : `/?ch=${c.id}`);
    await expect(page.getByRole('heading', { level: 1, name: c.title })).toBeVisible();
    // measured once the chapter's data and its lazily typeset math are in: a figure that
    // fills in after its fetch can widen the page (the Iris key did, on a slower machine)
    await page.waitForLoadState('networkidle');
    if (c.number > 0) await expect(page.locator('main .katex').first()).toBeVisible();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${c.id} is ${overflow}px wider than the screen`).toBeLessThanOrEqual(0);
  }
});

test('each chapter ends with a link to the next, and loads its own script when opened', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  const bodies: Promise<[string, number]>[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script') bodies.push(r.body().then((b) => [new URL(r.url()).pathname, b.length]));
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: CHAPTERS[0]!.title })).toBeVisible();
  // the first chapter does not fetch the scripts of the chapters after it
  expect(scripts.some((s) => s.startsWith('/assets/')), 'the page runs the built scripts').toBe(true);
  expect(scripts.filter((s) => /\/(lenet|fashion|conv|iris)-[\w-]+\.js$/.test(s))).toEqual([]);
  // and all it fetches, the GPU engine and its kernel check included, stays under 600 kB
  await expect(page.getByTestId('kernel-check')).toHaveText(/^Kernel check passed/, { timeout: 60_000 });
  const fetched = await Promise.all(bodies);
  expect(fetched.some(([path]) => /\/webgpu-backend-[\w-]+\.js$/.test(path)), 'the preface loads the WebGPU engine').toBe(true);
  const bytes = fetched.reduce((sum, [, n]) => sum + n, 0);
  expect(bytes, `the preface's scripts: ${fetched.map(([path, n]) => `${path} ${n}`).join(', ')}`).toBeLessThan(600_000);
  for (const next of CHAPTERS.slice(1, 3)) {
    await page.getByRole('navigation', { name: 'Next chapter' }).getByRole('link', { name: new RegExp(next.title) }).click();
    await expect(page.getByRole('heading', { level: 1, name: next.title })).toBeVisible();
    expect(new URL(page.url()).searchParams.get('ch')).toBe(next.id);
  }
  await page.goto(`/?ch=${CHAPTERS[CHAPTERS.length - 1]!.id}`);
  await expect(page.getByRole('heading', { level: 1, name: CHAPTERS[CHAPTERS.length - 1]!.title })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Next chapter' })).toHaveCount(0);
});
