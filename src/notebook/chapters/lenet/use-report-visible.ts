// Reports whether an element is on screen (within a margin) to the chapter's store, so
// the page refreshes the model during training only for cells someone can see.

import { useEffect, type RefObject } from 'react';
import { setLenetCellVisible } from './settings';

export function useReportVisible(ref: RefObject<HTMLElement | null>, id: string): void {
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') {
      setLenetCellVisible(id, true);
      return () => setLenetCellVisible(id, false);
    }
    const io = new IntersectionObserver((entries) => setLenetCellVisible(id, entries.some((e) => e.isIntersecting)), { rootMargin: '200px' });
    io.observe(el);
    return () => {
      io.disconnect();
      setLenetCellVisible(id, false);
    };
  }, [ref, id]);
}
