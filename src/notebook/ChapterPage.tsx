// The frame every chapter shares: number, title, introduction, the chapter's sections
// (prose and cells, in reading order), and the link to the next chapter.
//
// Adding a cell to a chapter: write it as a component in that chapter's folder and
// place it among the chapter's sections.

import { useEffect, useRef, type ReactNode } from 'react';
import { CHAPTERS, type ChapterInfo } from '../store/toc';
import { useNavigation } from '../store/navigation';
import { hrefWith } from '../store/url';

export interface ChapterPageProps {
  info: ChapterInfo;
  /** the opening paragraphs */
  intro: ReactNode;
  /** prose sections and cells, in order */
  children?: ReactNode;
}

export function ChapterPage({ info, intro, children }: ChapterPageProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // a chapter reached by navigating: announce it by moving focus to its title, and start
    // at the top. Not on the page's first load: a reader who has already put the focus
    // somewhere (the chapter list, while this chapter's script arrives) keeps it there.
    document.title = `${info.number}. ${info.title} · Backprop Notebook`;
    if (useNavigation.getState().navigated) headingRef.current?.focus({ preventScroll: true });
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
