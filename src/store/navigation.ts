// Which chapter is open. Kept in the URL as ?ch=<id>; changing chapter adds a history
// entry, so the browser's back button returns to the previous chapter.

import { create } from 'zustand';
import { CHAPTERS, DEFAULT_CHAPTER, chapterInfo } from './toc';
import { bindUrl, syncUrl } from './url';

interface NavigationState {
  chapter: string;
  /** open a chapter by id; unknown ids are rejected with an error naming the known ones */
  openChapter: (id: string) => void;
}

export const useNavigation = create<NavigationState>()((set, get) => ({
  chapter: DEFAULT_CHAPTER,
  openChapter: (id) => {
    if (!chapterInfo(id)) throw new Error(`unknown chapter '${id}'; chapters: ${CHAPTERS.map((c) => c.id).join(', ')}`);
    if (get().chapter === id) return;
    set({ chapter: id });
    syncUrl('push');
  },
}));

bindUrl({
  keys: ['ch'],
  read: (params) => {
    const id = params.get('ch');
    useNavigation.setState({ chapter: id && chapterInfo(id) ? id : DEFAULT_CHAPTER });
  },
  write: () => {
    const { chapter } = useNavigation.getState();
    return { ch: chapter === DEFAULT_CHAPTER ? null : chapter };
  },
});
