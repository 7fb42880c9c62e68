// The notebook's shell: header with the device badge, the chapter list, the open chapter.

import { Suspense } from 'react';
import { CHAPTER_VIEWS } from './notebook/chapters';
import { CHAPTERS, chapterInfo } from './store/toc';
import { useNavigation } from './store/navigation';
import { hrefWith } from './store/url';
import { DeviceBadge, DeviceNotice } from './notebook/cells/DeviceBadge';

function ChapterNav() {
  const chapter = useNavigation((s) => s.chapter);
  const openChapter = useNavigation((s) => s.openChapter);
  return (
    <nav className="toc" aria-label="Chapters">
      <p className="toc-heading" aria-hidden="true">
        Chapters
      </p>
      <ol>
        {CHAPTERS.map((c) => (
          <li key={c.id}>
            <a
              href={hrefWith({ ch: c.id === 'start' ? null : c.id })}
              aria-current={c.id === chapter ? 'page' : undefined}
              onClick={(e) => {
                if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
                e.preventDefault();
                openChapter(c.id);
              }}
            >
              <span className="toc-number" aria-hidden="true">
                {c.number}
              </span>
              <span className="toc-text">
                <span className="toc-title">{c.title}</span>
                <span className="toc-blurb">{c.blurb}</span>
              </span>
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}

function ChapterView() {
  const chapter = useNavigation((s) => s.chapter);
  const info = chapterInfo(chapter)!;
  const View = CHAPTER_VIEWS[chapter]!;
  return (
    <Suspense
      fallback={
        <p className="chapter-loading" role="status">
          Loading chapter {info.number}: {info.title}…
        </p>
      }
    >
      <View key={chapter} info={info} />
    </Suspense>
  );
}

export function App() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to the chapter
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ∂
          </span>
          <span className="brand-text">
            <span className="brand-name">Backprop Notebook</span>
            <span className="brand-tag">neural networks from first principles, on WebGPU</span>
          </span>
        </div>
        <DeviceBadge />
      </header>
      <DeviceNotice />
      <div className="layout">
        <ChapterNav />
        <main id="main" tabIndex={-1}>
          <ChapterView />
        </main>
      </div>
      <footer className="footer">
        <p>
          Backprop Notebook · every layer as a WGSL compute shader, checked against a float64 CPU reference. The page's state is
          in its address: copy the link to share exactly this view.
        </p>
      </footer>
    </>
  );
}
