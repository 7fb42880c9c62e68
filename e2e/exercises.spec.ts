// The exercises as a student works them, in one page: a known mistake typed into the
// editor fails with its diagnosis and the correct code passes (graded in the sandbox
// worker with the default number of randomized cases); an endless loop is stopped by the
// watchdog with its message while the student keeps editing and clicking; a syntax error
// is marked at its line; code and verdicts survive a reload; export, reset and import
// restore them (a malformed file is refused and changes nothing); and "use my
// implementation" trains the Iris network on the student's layers to ≥ 0.93 test accuracy,
// puts their tensors into the Iris step-through (every one agreeing; a disagreeing student
// is tests/exercises/step-compare.test.ts's subject, since a mistake that fails its check
// switches the step-through back to the engine alone) and trains the small CNN of the
// LeNet chapter on their layers to ≥ 90 % on its MNIST subset.
//
// The correct code comes from tests/exercises/solutions/<id>.js and the mistakes from
// tests/exercises/known.ts, each a solution with a slip (the page never has them).

import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { DIAGNOSES } from '../src/exercises/grader/diagnoses';
import { EXERCISES } from '../src/exercises/tasks';
import { expect, test } from './fixtures';
import { MISTAKES, mistake } from '../tests/exercises/known';

const SHOTS = '/work/shots';
/** element screenshots without the sticky header painted over them */
const SHOT_STYLE = '.topbar, .toc { position: static !important; }';

const solution = (id: string) => readFileSync(new URL(`../tests/exercises/solutions/${id}.js`, import.meta.url), 'utf8');

// the student's code runs in a worker; the page itself must log no error
test.use({ trace: 'off' });

function chapterOf(id: string): string {
  const e = EXERCISES.find((x) => x.id === id);
  if (!e) throw new Error(`no exercise ${id}`);
  return e.chapter;
}

async function openChapter(page: Page, chapter: string): Promise<void> {
  if (new URL(page.url()).searchParams.get('ch') === chapter) return;
  await page.goto(`/?ch=${chapter}`);
}

/** the exercise's cell, with its saved code loaded into the editor */
async function exercise(page: Page, id: string): Promise<Locator> {
  await openChapter(page, chapterOf(id));
  const cell = page.locator(`#ex-${id}`);
  await expect(cell.getByRole('textbox', { name: /^Your code:/ })).toBeVisible();
  return cell;
}

/** the code saved in the browser (IndexedDB) for an exercise, or null */
async function savedSource(page: Page, id: string): Promise<string | null> {
  return page.evaluate(
    (key) =>
      new Promise<string | null>((resolve, reject) => {
        const open = indexedDB.open('backprop-notebook');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction('exercises').objectStore('exercises').get(key);
          get.onsuccess = () => {
            resolve((get.result as { source?: string } | undefined)?.source ?? null);
            db.close();
          };
          get.onerror = () => reject(get.error);
        };
      }),
    id,
  );
}

/** replaces the editor's text the way a student pastes it (focus, select all, insert); waits until it is saved */
async function typeCode(page: Page, cell: Locator, code: string): Promise<void> {
  const editor = cell.getByRole('textbox', { name: /^Your code:/ });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(code);
  const id = (await cell.getAttribute('id'))!.replace(/^ex-/, '');
  await expect.poll(() => savedSource(page, id)).toBe(code);
}

async function check(cell: Locator): Promise<Locator> {
  await cell.getByRole('button', { name: 'Check' }).click();
  await expect(cell.getByRole('button', { name: 'Check' })).toBeEnabled({ timeout: 60_000 });
  return cell.getByTestId('verdict');
}

/** axe-core's findings inside one element (the chapters as first seen are covered by a11y.spec.ts) */
async function axeViolations(page: Page, selector: string): Promise<string[]> {
  const r = await new AxeBuilder({ page }).include(selector).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return r.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(', ')}`);
}

async function solve(page: Page, id: string): Promise<void> {
  const cell = await exercise(page, id);
  await typeCode(page, cell, solution(id));
  await expect(await check(cell), `${id}: the correct code passes`).toContainText(/Passed: (\d+) of \1 /);
}

test('exercises: grade, diagnose, watchdog, syntax error, persistence, export and import, training on your layers', async ({ page }) => {
  test.setTimeout(300_000);

  await test.step('a known mistake fails with its diagnosis; the correct code passes', async () => {
    const cell = await exercise(page, 'fully-connected');
    await typeCode(page, cell, mistake('bias-shape'));
    const verdict = await check(cell);
    await expect(verdict).toContainText('Failed');
    await expect(verdict.getByTestId('diagnosis')).toContainText(DIAGNOSES['bias-shape']);
    await cell.screenshot({ path: `${SHOTS}/exui-fail.png`, style: SHOT_STYLE });
    await cell.getByText('Array module reference').click();
    expect(await axeViolations(page, '#ex-fully-connected')).toEqual([]);
    await typeCode(page, cell, solution('fully-connected'));
    await expect(await check(cell)).toContainText(/Passed: (\d+) of \1 /);
    await cell.screenshot({ path: `${SHOTS}/exui-pass.png`, style: SHOT_STYLE });
  });

  await test.step('an endless loop is stopped by the watchdog while the page stays usable', async () => {
    const cell = await exercise(page, 'sigmoid');
    await typeCode(page, cell, 'class Sigmoid {\n  forward(Z) {\n    while (true) {}\n  }\n  backward(Z, dY) {\n    return dY;\n  }\n}\n');
    await cell.getByRole('button', { name: 'Check' }).click();
    await expect(cell.getByRole('button', { name: 'Checking…' })).toBeDisabled();
    // meanwhile: open the reference and edit another exercise
    const other = page.locator('#ex-tanh');
    await other.getByText('Array module reference').click();
    await expect(other.locator('details.exercise-reference')).toHaveAttribute('open', '');
    await typeCode(page, other, '// edited while the loop runs\n');
    await expect(cell.getByRole('button', { name: 'Checking…' })).toBeDisabled();
    const verdict = cell.getByTestId('verdict');
    await expect(verdict).toContainText('your code did not finish in 5 s — an endless loop?', { timeout: 30_000 });
    // a fresh worker grades the next check
    await typeCode(page, cell, solution('sigmoid'));
    await expect(await check(cell)).toContainText(/Passed/);
  });

  await test.step('a syntax error is marked at its line', async () => {
    const cell = await exercise(page, 'tanh');
    await typeCode(page, cell, 'class Tanh {\n  forward(Z) {\n    const a = ;\n    return a;\n  }\n}\n');
    const verdict = await check(cell);
    await expect(verdict).toContainText(/Syntax error at line 3/);
    await expect(cell.locator('.cm-line').nth(2).locator('.cm-lintRange-error')).toHaveCount(1);
    await expect(cell.locator('.cm-gutterElement .cm-lint-marker-error')).toHaveCount(1);
    // the keyboard: Tab indents inside the editor, Escape then Tab leaves it
    const editor = cell.getByRole('textbox', { name: /^Your code:/ });
    await editor.press('Tab');
    await expect(editor).toBeFocused();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    await expect(cell.getByRole('button', { name: 'Check' })).toBeFocused();
  });

  await test.step('the layers the Iris network needs pass', async () => {
    for (const id of ['relu', 'softmax', 'cross-entropy', 'model']) await solve(page, id);
  });

  await test.step('code and verdicts survive a reload', async () => {
    await expect(page.locator('#ex-model').getByTestId('save-state')).toHaveText('saved in this browser');
    await page.reload();
    const cell = await exercise(page, 'model');
    await expect(cell.getByTestId('verdict')).toContainText(/Passed/);
    const fc = await exercise(page, 'fully-connected');
    // the verdict judged the code in the editor (no "changed since this check" note)
    await expect(fc.getByTestId('verdict')).toHaveText(/^✓ Passed/);
    await expect(fc.getByRole('textbox', { name: /^Your code:/ })).toContainText(solution('fully-connected').split('\n')[1]!.trim());
    expect(await savedSource(page, 'fully-connected')).toBe(solution('fully-connected'));
  });

  let exported = '';
  await test.step('export, reset, import restores them; a malformed file changes nothing', async () => {
    await page.goto('/?ch=yourturn');
    await expect(page.getByTestId('progress-summary')).toHaveText(/^6 of \d+ exercises pass\.$/);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export solutions' }).click();
    exported = readFileSync(await (await download).path(), 'utf8');
    expect(JSON.parse(exported).format).toBe('backprop-notebook-solutions');

    // reset one exercise, from the keyboard: the dialog asks first
    const cell = await exercise(page, 'relu');
    const reset = cell.getByRole('button', { name: 'Reset to starter' });
    await reset.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Reset to the starter?' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Escape'); // cancel keeps the code
    await expect(dialog).toBeHidden();
    await expect(cell.getByTestId('verdict')).toContainText(/Passed/);
    await reset.click();
    await dialog.getByRole('button', { name: 'Reset', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(cell.getByTestId('verdict')).toHaveCount(0);
    const starter = EXERCISES.find((e) => e.id === 'relu')!.starter;
    await expect(cell.getByRole('textbox', { name: /^Your code:/ })).toContainText(starter.split('\n')[0]!);
    await expect.poll(() => savedSource(page, 'relu')).toBeNull();

    await page.goto('/?ch=yourturn');
    const input = page.getByLabel('Import solutions file');
    await input.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "backprop-notebook-solutions", "version": 1, "exercises": ') });
    await expect(page.getByRole('alert')).toContainText(/Nothing imported, nothing changed\. broken\.json/);
    await expect(page.getByTestId('progress-summary')).toHaveText(/^5 of \d+ exercises pass\.$/);
    await input.setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    await expect(page.getByTestId('import-message')).toContainText('Imported');
    await expect(page.getByTestId('progress-summary')).toHaveText(/^6 of \d+ exercises pass\.$/);
    const restored = await exercise(page, 'relu');
    await expect(restored.getByTestId('verdict')).toHaveText(/^✓ Passed/);
    expect(await savedSource(page, 'relu')).toBe(solution('relu'));
  });

  await test.step('"use my implementation" trains the Iris network on the student\'s layers', async () => {
    await openChapter(page, 'iris');
    const own = page.locator('#own-iris');
    const toggle = own.getByRole('switch', { name: 'Use my implementation' });
    await expect(toggle).toBeEnabled();
    await toggle.check();
    await expect(own.getByTestId('own-trace')).toBeVisible({ timeout: 60_000 });
    await expect(own.getByTestId('own-accuracy')).toHaveAttribute('data-accuracy', /\d/, { timeout: 120_000 });
    const acc = Number(await own.getByTestId('own-accuracy').getAttribute('data-accuracy'));
    expect(acc).toBeGreaterThanOrEqual(0.93);
    // every tensor of the traced mini-batch agrees with the reference
    await expect(own.getByTestId('own-trace').locator('caption')).toContainText('all agree with the reference');
    // the built-in layers' curve on the same settings, beside the student's
    await expect(own.getByTestId('own-accuracy')).toContainText('built-in layers', { timeout: 120_000 });
    await own.screenshot({ path: `${SHOTS}/exui-iris.png`, style: SHOT_STYLE });
    expect(await axeViolations(page, '#own-iris')).toEqual([]);
  });
});

test('every exercise: each known mistake fails naming its diagnosis, and the correct code passes; then the step-through and the CNN on the student\'s layers', async ({ page }) => {
  test.setTimeout(540_000);
  // chapter by chapter, in the course's order
  for (const e of EXERCISES) {
    await test.step(e.id, async () => {
      const cell = await exercise(page, e.id);
      for (const [name, m] of Object.entries(MISTAKES).filter(([, m]) => m.exercise === e.id)) {
        await typeCode(page, cell, mistake(name));
        const verdict = await check(cell);
        await expect(verdict, `${name}: fails`).toContainText('Failed');
        await expect(verdict.getByTestId('diagnosis'), `${name}: names its mistake`).toContainText(DIAGNOSES[m.diagnosis as keyof typeof DIAGNOSES]);
      }
      await typeCode(page, cell, solution(e.id));
      await expect(await check(cell), `${e.id}: the correct code passes`).toContainText(/Passed: (\d+) of \1 /);
    });
  }

  // every exercise now passes (in this page): the chapters' networks on the student's layers

  await test.step('the Iris step-through with "use my implementation": the student\'s tensors beside the engine\'s, all agreeing', async () => {
    await openChapter(page, 'iris');
    const cell = page.locator('#iris-step-through');
    await cell.getByRole('button', { name: 'Trace the next mini-batch' }).scrollIntoViewIfNeeded();
    const st = cell.getByRole('group', { name: /^Step-through of the Iris network/ });
    await expect(st).toBeVisible({ timeout: 60_000 });
    const toggle = cell.getByRole('switch', { name: 'Use my implementation' });
    await expect(toggle).toBeEnabled();
    await toggle.focus();
    await page.keyboard.press('Space');
    await expect(toggle).toBeChecked();
    const summary = cell.getByTestId('st-mine-summary');
    await expect(summary).toContainText(/(\d+) of \1 tensors agree with the engine’s over (\d+) of \2 operations\./, { timeout: 60_000 });
    await expect(summary).toContainText('float32');
    // the timeline marks every operation, none disagreeing
    const ops = st.getByRole('list', { name: 'Operations of the step' }).getByRole('button');
    const n = await ops.count();
    await expect(st.getByRole('button', { name: /, your numbers agree$/ })).toHaveCount(n);
    // the keyboard still walks the step-through; each step shows the student's tensor, agreeing
    await st.getByRole('button', { name: /^Operation 1\b/ }).click();
    await expect(st.getByTestId('st-mine-Y')).toHaveAttribute('data-agree', 'true');
    await expect(st.getByTestId('st-mine').locator('figure.heatmap').first()).toBeVisible();
    await page.keyboard.press('ArrowRight');
    await expect(st.getByTestId('st-position')).toContainText('Step 2 of');
    await expect(st.getByTestId('st-mine-Z')).toHaveAttribute('data-agree', 'true');
    await page.keyboard.press('End');
    await expect(st.getByTestId('st-position')).toContainText(`Step ${n} of ${n}`);
    await expect(st.getByTestId('st-mine-p')).toHaveAttribute('data-agree', 'true');
    await expect(st.getByTestId('st-mine-p')).toContainText('(exact)');
    expect(await axeViolations(page, '#iris-step-through')).toEqual([]);
  });

  await test.step('chapter 4\'s CNN step-through with "use my implementation": the student\'s conv and pool agreeing', async () => {
    await openChapter(page, 'conv');
    const cell = page.locator('#conv-step-through');
    await cell.scrollIntoViewIfNeeded();
    const st = cell.getByRole('group', { name: 'Step-through of one training step of the convolutional network' });
    await expect(st).toBeVisible({ timeout: 60_000 });
    const toggle = cell.getByRole('switch', { name: 'Use my implementation' });
    await expect(toggle).toBeEnabled();
    await toggle.check();
    await expect(cell.getByTestId('st-mine-summary')).toContainText(/(\d+) of \1 tensors agree with the engine’s over (\d+) of \2 operations\./, { timeout: 60_000 });
    await st.getByRole('button', { name: /^Operation 1\b/ }).click();
    await expect(st.getByTestId('st-mine-Y')).toHaveAttribute('data-agree', 'true');
    await expect(st.getByTestId('st-mine-Y')).toContainText('(exact)');
  });

  await test.step('"use my implementation" trains the small CNN on the student\'s layers to ≥ 90 % on its MNIST subset', async () => {
    const started = Date.now();
    await openChapter(page, 'lenet');
    const own = page.locator('#own-mnist-subset');
    const toggle = own.getByRole('switch', { name: 'Use my implementation' });
    await toggle.scrollIntoViewIfNeeded();
    await expect(toggle).toBeEnabled();
    await toggle.check();
    await expect(own.getByTestId('own-trace').locator('caption')).toContainText('all agree with the reference', { timeout: 120_000 });
    await expect(own.getByTestId('own-accuracy')).toHaveAttribute('data-accuracy', /\d/, { timeout: 300_000 });
    const acc = Number(await own.getByTestId('own-accuracy').getAttribute('data-accuracy'));
    console.log(`the small CNN on the student's layers: test accuracy ${(acc * 100).toFixed(1)} % on the MNIST subset, ${((Date.now() - started) / 1000).toFixed(1)} s from opening the chapter`);
    expect(acc).toBeGreaterThanOrEqual(0.9);
    // the built-in comparison run is not this test's subject: switching off stops it
    await toggle.uncheck();
  });

  await test.step('a check that fails turns the step-through\'s switch off and says which exercise it needs', async () => {
    const cell = await exercise(page, 'cross-entropy');
    await typeCode(page, cell, mistake('ce-not-averaged'));
    await expect(await check(cell)).toContainText('Failed');
    await openChapter(page, 'iris');
    const step = page.locator('#iris-step-through');
    const toggle = step.getByRole('switch', { name: 'Use my implementation' });
    await expect(toggle).toBeDisabled();
    await expect(toggle).not.toBeChecked();
    const title = EXERCISES.find((e) => e.id === 'cross-entropy')!.title;
    await expect(toggle).toHaveAccessibleDescription(`Needs a passing check of: ${title}.`);
    await expect(step.getByTestId('st-mine')).toHaveCount(0);
  });
});
