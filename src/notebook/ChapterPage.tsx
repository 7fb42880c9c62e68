// The frame every chapter shares: number, title, introduction, the chapter's sections
// (prose and cells, in reading order), and — while a chapter is waiting for its
// interactive cells — the marked area that lists what is planned.
//
// Adding a cell to a chapter: write it as a component in that chapter's folder and
// place it among the chapter's sections; remove its line from `planned`.

import { useEffect, useRef, type ReactNode } from 'react';
import { PendingCells } from '../ui/Cell';
import { CHAPTERS, type ChapterInfo } from '../store/toc';
import { useNavigation } from '../store/navigation';
import { hrefWith } from '../store/url';

export interface ChapterPageProps {
  info: ChapterInfo;
  /** the opening paragraphs */
  intro: ReactNode;
  /** prose sections and cells, in order */
  children?: ReactNode;
  /** cells still to come (shown in the "arrive with the training engine" area) */
  planned?: readonly string[];
}

export function ChapterPage({ info, intro, children, planned }: ChapterPageProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // a new chapter: announce it by moving focus to its title, and start at the top
    document.title = `${info.number}. ${info.title} · Backprop Notebook`;
    if (document.activeElement && document.activeElement !== document.body) headingRef.current?.focus({ preventScroll: true });
    window.scrollTo({ top: 0 });
  }, [info]);
  return (
    <article className="chapter" aria-labelledby={`chapter-${info.id}`}>
      <header className="chapter-head">
        <p className="chapter-kicker">{info.number === 0 ? 'Preface' : `Chapter ${info.number}`}</p>
        <h1 id={`chapter-${info.id}`} ref={headingRef} tabIndex={-1}>
          {info.title}
        </h1>
        <div className="chapter-intro">{intro}</div>
      </header>
      {children}
      {planned && planned.length ? <PendingCells planned={planned} /> : null}
      <NextChapter current={info} />
    </article>
  );
}

/** A prose section with a heading (h2) and an anchor. */
export function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="prose-section" id={id} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{title}</h2>
      {children}
    </section>
  );
}

/** The link to the chapter after this one (none after the last). */
function NextChapter({ current }: { current: ChapterInfo }) {
  const openChapter = useNavigation((s) => s.openChapter);
  const next = CHAPTERS[CHAPTERS.findIndex((c) => c.id === current.id) + 1];
  if (!next) return null;
  return (
    <nav className="next-chapter" aria-label="Next chapter">
      <a
        href={hrefWith({ ch: next.id })}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
          e.preventDefault();
          openChapter(next.id);
        }}
      >
        Next: chapter {next.number}, {next.title} →
      </a>
    </nav>
  );
}
