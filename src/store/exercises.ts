// The student's exercises: their code and the grader's verdicts, one entry per exercise
// id, kept in IndexedDB (through `idb`) so that they survive a reload and a browser
// restart. Edits are saved after a short pause (SAVE_DELAY_MS) and when the page is
// hidden; verdicts at once. Export writes every entry as one solutions file (the format
// of src/exercises/solutions-file.ts, the one `npm run grade` reads); import validates a
// file first and changes nothing when it is malformed.
//
// An entry without code shows the exercise's starter; "reset to starter" deletes the entry.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { create } from 'zustand';
import type { Verdict } from '../exercises/grader/types';
import { parseSolutionsFile, serializeSolutions, type SavedExercise } from '../exercises/solutions-file';
import type { ExerciseId } from '../exercises/tasks';

export interface ExerciseEntry {
  source: string;
  /** the last verdict, and the code it judged (the code may have changed since) */
  verdict?: Verdict;
  checkedSource?: string;
  /** ISO time of the last edit */
  updatedAt: string;
}

export type StorageStatus = 'loading' | 'ready' | 'memory-only';

export interface ExercisesData {
  status: StorageStatus;
  /** why the entries live in memory only (IndexedDB refused), shown in the page */
  storageMessage?: string;
  entries: Readonly<Record<string, ExerciseEntry>>;
  /** ids whose latest edit is not yet written to IndexedDB */
  unsaved: readonly string[];
}

export interface ExercisesActions {
  setSource(id: string, source: string): void;
  setVerdict(id: string, source: string, verdict: Verdict): void;
  /** forget the code and verdict: the exercise shows its starter again */
  reset(id: string): void;
  /** every entry as a solutions file (JSON text) */
  exportText(): string;
  /** replaces the entries named in the file; throws the parser's error (nothing changed) when malformed */
  importText(text: string, fileName?: string): number;
  /** writes pending edits now */
  flush(): Promise<void>;
}

export type ExercisesState = ExercisesData & ExercisesActions;

const SAVE_DELAY_MS = 400;
const DB_NAME = 'backprop-notebook';
const STORE = 'exercises';

interface Schema extends DBSchema {
  exercises: { key: string; value: ExerciseEntry };
}

/** a passing verdict that judged the code now in the editor */
export function passes(e: ExerciseEntry | undefined): boolean {
  return !!e?.verdict?.pass && e.checkedSource === e.source;
}

/** the verdict is about other code than the editor's */
export function isStale(e: ExerciseEntry | undefined): boolean {
  return !!e?.verdict && e.checkedSource !== e.source;
}

let db: Promise<IDBPDatabase<Schema>> | null = null;
function database(): Promise<IDBPDatabase<Schema>> {
  db ??= openDB<Schema>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore(STORE);
    },
  });
  return db;
}

const timers = new Map<string, ReturnType<typeof setTimeout>>();

export const useExercises = create<ExercisesState>()((set, get) => {
  async function write(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const t = timers.get(id);
      if (t) clearTimeout(t);
      timers.delete(id);
    }
    if (get().status === 'loading') return; // load() writes what is pending once it is done
    if (get().status !== 'ready') return set({ unsaved: [] });
    try {
      const d = await database();
      const tx = d.transaction(STORE, 'readwrite');
      const entries = get().entries;
      await Promise.all([
        ...ids.map((id) => (entries[id] ? tx.store.put(entries[id]!, id) : tx.store.delete(id))),
        tx.done,
      ]);
      set((s) => ({ unsaved: s.unsaved.filter((u) => !ids.includes(u) || timers.has(u)) }));
    } catch (e) {
      set({ status: 'memory-only', storageMessage: `Saving in this browser failed (${String(e)}); your code is kept until the page closes — export it.` });
    }
  }

  function schedule(id: string, delay: number) {
    const t = timers.get(id);
    if (t) clearTimeout(t);
    set((s) => ({ unsaved: s.unsaved.includes(id) ? s.unsaved : [...s.unsaved, id] }));
    if (delay === 0) void write([id]);
    else timers.set(id, setTimeout(() => void write([id]), delay));
  }

  return {
    status: 'loading',
    entries: {},
    unsaved: [],

    setSource(id, source) {
      const prev = get().entries[id];
      if (prev?.source === source) return;
      set((s) => ({ entries: { ...s.entries, [id]: { ...prev, source, updatedAt: new Date().toISOString() } } }));
      schedule(id, SAVE_DELAY_MS);
    },

    setVerdict(id, source, verdict) {
      const prev = get().entries[id];
      set((s) => ({
        entries: { ...s.entries, [id]: { source: prev?.source ?? source, updatedAt: prev?.updatedAt ?? new Date().toISOString(), verdict, checkedSource: source } },
      }));
      schedule(id, 0);
    },

    reset(id) {
      set((s) => {
        const entries = { ...s.entries };
        delete entries[id];
        return { entries };
      });
      schedule(id, 0);
    },

    exportText() {
      const exercises: Partial<Record<ExerciseId, SavedExercise>> = {};
      for (const [id, e] of Object.entries(get().entries)) {
        // a verdict goes with the file only when it judged the code in it
        exercises[id as ExerciseId] = { source: e.source, updatedAt: e.updatedAt, ...(isStale(e) || !e.verdict ? {} : { verdict: e.verdict }) };
      }
      return serializeSolutions(exercises);
    },

    importText(text, fileName) {
      const file = parseSolutionsFile(text, fileName); // throws with the reason; nothing changed yet
      const ids = Object.keys(file.exercises) as ExerciseId[];
      set((s) => {
        const entries = { ...s.entries };
        for (const id of ids) {
          const e = file.exercises[id]!;
          entries[id] = { source: e.source, updatedAt: e.updatedAt, ...(e.verdict ? { verdict: e.verdict, checkedSource: e.source } : {}) };
        }
        return { entries };
      });
      void write(ids);
      return ids.length;
    },

    flush() {
      return write(get().unsaved);
    },
  };
});

async function load(): Promise<void> {
  try {
    const d = await database();
    const tx = d.transaction(STORE, 'readonly');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
    const entries: Record<string, ExerciseEntry> = {};
    keys.forEach((k, i) => {
      const v = values[i];
      if (v && typeof v.source === 'string') entries[String(k)] = v;
    });
    // edits made while loading win over what was stored
    useExercises.setState((s) => ({ status: 'ready', entries: { ...entries, ...s.entries } }));
    const pending = useExercises.getState().unsaved;
    if (pending.length) void useExercises.getState().flush();
  } catch (e) {
    useExercises.setState({
      status: 'memory-only',
      storageMessage: `This browser does not let the notebook keep your code (${e instanceof Error ? e.message : String(e)}): it stays until the page closes — export it to keep it.`,
    });
  }
}

if (typeof indexedDB !== 'undefined') {
  void load();
  if (typeof window !== 'undefined') {
    // a tab being closed or hidden: write what is pending
    window.addEventListener('pagehide', () => void useExercises.getState().flush());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') void useExercises.getState().flush();
    });
  }
} else {
  useExercises.setState({ status: 'memory-only', storageMessage: 'IndexedDB is not available here: your code stays until the page closes.' });
}
