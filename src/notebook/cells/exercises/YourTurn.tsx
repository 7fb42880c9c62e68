// A chapter's "Your turn" section: the exercises whose topic the chapter teaches (in the
// course's order), each an ExerciseCell, and — where given — what the student can run on
// their own layers once those pass (`children`).

import type { ReactNode } from 'react';
import { EXERCISES } from '../../../exercises/tasks';
import { ExerciseCell } from '../ExerciseCell';
import { Section } from '../../ChapterPage';

export interface YourTurnProps {
  /** the chapter's toc id: its exercises are those with this `chapter` */
  chapter: string;
  /** the chapter's number, for the cells' numbers ("3.E1") */
  number: number;
  children?: ReactNode;
}

export function YourTurn({ chapter, number, children }: YourTurnProps) {
  const list = EXERCISES.filter((e) => e.chapter === chapter);
  if (!list.length && !children) return null;
  return (
    <>
      <Section id={`${chapter}-your-turn`} title="Your turn">
        {list.length ? (
          <p>
            Now write it yourself. Each exercise below is JavaScript against a small numpy-like array module (its reference folds
            out under each editor; TypeScript syntax is accepted). <strong>Check</strong> runs your code in a sandboxed worker on
            randomized cases — odd batch sizes, non-square shapes, every padding — against the float64 reference, and checks your
            backward against central differences of your own forward. Your code is saved in this browser; the progress page lists
            what passes and exports it all as one file.
          </p>
        ) : (
          <p>
            The layers this network is made of are exercises in the earlier chapters. Once yours pass there, run this network on
            them below.
          </p>
        )}
      </Section>
      {list.map((e, i) => (
        <ExerciseCell key={e.id} exercise={e} number={`${number}.E${i + 1}`} />
      ))}
      {children}
    </>
  );
}
