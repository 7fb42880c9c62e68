// Your turn: progress — every exercise of the course in order, whether the student's code
// passes (the last verdict on the code now saved), and the solutions file: export all code
// and verdicts as one file (what a teacher collects and grades with `npm run grade`), and
// import such a file back.

import { useState } from 'react';
import { EXERCISES } from '../../../exercises/tasks';
import { isStale, passes, useExercises, type ExerciseEntry } from '../../../store/exercises';
import { useNavigation } from '../../../store/navigation';
import { chapterInfo, type ChapterInfo } from '../../../store/toc';
import { hrefWith } from '../../../store/url';
import { Cell } from '../../../ui/Cell';
import { M, tex } from '../../../ui/Math';
import { ChapterPage } from '../../ChapterPage';
import '../../cells/ExerciseCell.css';

const FILE_NAME = 'backprop-notebook-solutions.json';

function statusText(entry: ExerciseEntry | undefined): { text: string; tone: string } {
  if (!entry) return { text: 'not started', tone: '' };
  if (!entry.verdict) return { text: 'not checked yet', tone: '' };
  if (isStale(entry)) return { text: 'edited since the last check', tone: '' };
  if (entry.verdict.pass) return { text: `passes (${entry.verdict.passed}/${entry.verdict.total})`, tone: 'pass' };
  return { text: entry.verdict.error ? `fails: ${entry.verdict.error.kind} error` : `fails (${entry.verdict.passed}/${entry.verdict.total})`, tone: 'fail' };
}

function goTo(chapter: string, anchor: string) {
  useNavigation.getState().openChapter(chapter);
  // after the chapter has rendered and scrolled to its top
  setTimeout(() => {
    const el = document.getElementById(anchor);
    el?.scrollIntoView({ block: 'start' });
    (el?.querySelector('h2') as HTMLElement | null)?.setAttribute('tabindex', '-1');
    (el?.querySelector('h2') as HTMLElement | null)?.focus({ preventScroll: true });
  }, 50);
}

function ProgressTable() {
  const entries = useExercises((s) => s.entries);
  const status = useExercises((s) => s.status);
  const done = EXERCISES.filter((e) => passes(entries[e.id])).length;
  return (
    <Cell id="yourturn-progress" title="Your exercises" lead={<>Each exercise's last verdict, on the code saved in this browser.</>}>
      <p data-testid="progress-summary" role="status">
        {status === 'loading' ? 'Loading your saved code…' : `${done} of ${EXERCISES.length} exercises pass.`}
      </p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Exercises in the course's order">
        <table className="yourturn-table">
          <caption>Exercises in the course's order</caption>
          <thead>
            <tr>
              <th scope="col">exercise</th>
              <th scope="col">chapter</th>
              <th scope="col">status</th>
              <th scope="col">last checked</th>
            </tr>
          </thead>
          <tbody>
            {EXERCISES.map((e) => {
              const entry = entries[e.id];
              const s = statusText(entry);
              const ch = chapterInfo(e.chapter);
              return (
                <tr key={e.id}>
                  <th scope="row">
                    <a
                      href={`${hrefWith({ ch: e.chapter })}#ex-${e.id}`}
                      onClick={(ev) => {
                        if (ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey || ev.button !== 0) return;
                        ev.preventDefault();
                        goTo(e.chapter, `ex-${e.id}`);
                      }}
                    >
                      {e.title}
                    </a>
                  </th>
                  <td>{ch ? `${ch.number}. ${ch.title}` : e.chapter}</td>
                  <td className={`yourturn-status ${s.tone}`}>{s.text}</td>
                  <td>{entry?.verdict ? new Date(entry.verdict.gradedAt).toLocaleString() : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Cell>
  );
}

function download(text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = FILE_NAME;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function SolutionsFileCell() {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const count = useExercises((s) => Object.keys(s.entries).length);
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      const n = useExercises.getState().importText(await file.text(), file.name);
      setMessage({ ok: true, text: `Imported ${n} exercise${n === 1 ? '' : 's'} from ${file.name}.` });
    } catch (e) {
      setMessage({ ok: false, text: `Nothing imported, nothing changed. ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  return (
    <Cell
      id="yourturn-file"
      title="Export and import"
      lead={
        <>
          One JSON file with the code and the verdict of every exercise you have started. A teacher grades a class's files with{' '}
          <code>npm run grade -- file.json</code>; importing a file replaces the exercises it contains.
        </>
      }
    >
      <div className="button-row">
        <button type="button" className="primary" disabled={!count} onClick={() => download(useExercises.getState().exportText())}>
          Export solutions
        </button>
        <label className="file-button">
          <span>Import solutions file</span>
          <input
            type="file"
            accept="application/json,.json"
            onChange={(e) => {
              void onFile(e.currentTarget.files?.[0]);
              e.currentTarget.value = '';
            }}
          />
        </label>
      </div>
      {message ? (
        <p className={`notice ${message.ok ? 'ok' : 'error'}`} role={message.ok ? 'status' : 'alert'} data-testid="import-message">
          {message.text}
        </p>
      ) : null}
    </Cell>
  );
}

export function YourTurnChapter({ info }: { info: ChapterInfo }) {
  return (
    <ChapterPage
      info={info}
      intro={
        <>
          <p>
            The exercises sit at the end of the chapters that teach their topic. This page gathers them: which of your layers pass
            the grader, and a file with all of your code to hand in or to move to another browser.
          </p>
          <p>
            An exercise passes when your code agrees with the float64 reference on every randomized case, entry by entry:{' '}
            <M p=",">{tex`|x - x_{\text{ref}}| \le \text{atol} + \text{rtol}\,|x_{\text{ref}}|`}</M> when its backward agrees with
            central differences of its own forward, and — where the exercise asks for it — when it makes as many array operations
            for a larger batch as for a smaller one (no loop over the examples).
          </p>
        </>
      }
    >
      <ProgressTable />
      <SolutionsFileCell />
    </ChapterPage>
  );
}
