// Which chapter is open. Kept in the URL as ?ch=<id>; changing chapter adds a history
// entry, so the browser's back button returns to the previous chapter.

import { create } from 'zustand';
import { CHAPTERS, DEFAULT_CHAPTER, chapterInfo } from './toc';
import { bindUrl, syncUrl } from './url';

interface NavigationState {
  chapter: string;
  /**
   * The open chapter was reached by navigating (a link, back or forward), not by loading
   * the page: its title takes the focus. On a first load the focus is left where the
   * reader put it.
   */
  navigated: boolean;
  /** open a chapter by id; unknown ids are rejected with an error naming the known ones */
  openChapter: (id: string) => void;
}

export const useNavigation = create<NavigationState>()((set, get) => ({
  chapter: DEFAULT_CHAPTER,
  navigated: false,
  openChapter: (id) => {
    if (!chapterInfo(id)) throw new Error(`unknown chapter '${id}'; chapters: ${CHAPTERS.map((c) => c.id).join(', ')}`);
    if (get().chapter === id) return;
    set({ chapter: id, navigated: true });
    syncUrl('push');
  },
}));

let loaded = false;
bindUrl({
  keys: ['ch'],
  read: (params) => {
    const id = params.get('ch');
    const chapter = id && chapterInfo(id) ? id : DEFAULT_CHAPTER;
    // the first read is the page loading; later ones are back and forward
    const navigated = loaded && chapter !== useNavigation.getState().chapter;
    loaded = true;
    useNavigation.setState(navigated ? { chapter, navigated } : { chapter });
  },
  write: () => {
    const { chapter } = useNavigation.getState();
    return { ch: chapter === DEFAULT_CHAPTER ? null : chapter };
  },
});
