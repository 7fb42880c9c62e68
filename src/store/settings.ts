// A chapter's settings, defined once as a schema: each field's default, bounds or choices,
// the words used in its error message, its URL key, and how a change reaches a running
// training session ('live': sent to the session, which applies it at the next step;
// 'rebuild': a new session; 'none': the session does not use it).
//
//   const settings = defineSettings({
//     prefix: 'iris',
//     fields: {
//       lr: num('the learning rate', { min: 0, max: 1000, default: 0.1, url: 'lr', change: 'live' }),
//       device: oneOf('device', ['webgpu', 'cpu'] as const, { default: 'webgpu', url: 'dev', change: 'rebuild' }),
//     },
//   });
//   settings.use((s) => s.lr);     // a zustand hook
//   settings.use.getState().set('lr', 0.5);   // validated, written to ?iris.lr=0.5, session told
//
// A value outside a field's bounds is refused with a message naming the field; in the URL
// it is ignored (the default holds) and leaves the address bar (see bindUrl).

import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { SessionConfig } from '../train/protocol';
import type { TrainingState, TrainingStore } from './training';
import { bindUrl, formatNumber, parseNumber, syncUrl, type UrlBinding } from './url';

export type ChangeKind = 'live' | 'rebuild' | 'none';

export interface Field<T> {
  /** a value, or one computed from the other settings (e.g. a learning rate that suits the optimizer) */
  default: T | ((s: Record<string, unknown>) => T);
  change: ChangeKind;
  /** the key in the URL after "<prefix>."; absent: not kept in the URL */
  url?: string;
  /** null when v is allowed, otherwise why not */
  check(v: unknown): string | null;
  /** the value written in the URL, or undefined when it is not allowed */
  parse(raw: string): T | undefined;
  format(v: T): string;
  /** two values are the same setting (lists compare by element) */
  same(a: T, b: T): boolean;
}

interface FieldOptions<T> {
  default: T | ((s: Record<string, unknown>) => T);
  change: ChangeKind;
  url?: string;
}

const numberMessage = (label: string, v: unknown, min: number, max: number, int: boolean): string | null =>
  typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v))
    ? `${label} must be ${int ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(v)}`
    : null;

/** a number in [min, max] (an integer when `int`) */
export function num(label: string, o: FieldOptions<number> & { min: number; max: number; int?: boolean }): Field<number> & { min: number; max: number; int: boolean } {
  const int = o.int ?? false;
  return {
    ...o,
    int,
    check: (v) => numberMessage(label, v, o.min, o.max, int),
    parse: (raw) => {
      const v = parseNumber(raw, o.min, o.max);
      return v !== undefined && (!int || Number.isInteger(v)) ? v : undefined;
    },
    format: (v) => (int ? String(v) : formatNumber(v)),
    same: (a, b) => a === b,
  };
}

/** one of a few values (strings or numbers); `unit` follows the list in the message */
export function oneOf<C extends string | number>(label: string, choices: readonly C[], o: FieldOptions<C> & { unit?: string }): Field<C> & { choices: readonly C[] } {
  const unit = o.unit ? ` ${o.unit}` : '';
  return {
    ...o,
    choices,
    check: (v) => ((choices as readonly unknown[]).includes(v) ? null : `${label} must be one of ${choices.join(', ')}${unit}, got ${String(v)}`),
    parse: (raw) => choices.find((c) => String(c) === raw || (typeof c === 'number' && raw.trim() !== '' && Number(raw) === c)),
    format: (v) => String(v),
    same: (a, b) => a === b,
  };
}

/** on or off; "1" or "0" in the URL */
export function flag(label: string, o: FieldOptions<boolean>): Field<boolean> {
  return {
    ...o,
    check: (v) => (typeof v === 'boolean' ? null : `${label} must be true or false, got ${String(v)}`),
    parse: (raw) => (raw === '1' ? true : raw === '0' ? false : undefined),
    format: (v) => (v ? '1' : '0'),
    same: (a, b) => a === b,
  };
}

/** a comma-separated list of 1 to maxLength numbers, each in [min, max] */
export function list(
  label: string,
  item: { label: string; min: number; max: number; int?: boolean },
  o: FieldOptions<number[]> & { maxLength: number },
): Field<number[]> & { maxLength: number } {
  const int = item.int ?? false;
  return {
    ...o,
    check: (v) => {
      if (!Array.isArray(v) || v.length === 0 || v.length > o.maxLength) return `${label} has 1 to ${o.maxLength} values`;
      for (const x of v) {
        const bad = numberMessage(item.label, x, item.min, item.max, int);
        if (bad) return bad;
      }
      return null;
    },
    parse: (raw) => {
      const xs = raw.split(',').map((p) => parseNumber(p, item.min, item.max));
      if (xs.length === 0 || xs.length > o.maxLength || xs.some((x) => x === undefined || (int && !Number.isInteger(x)))) return undefined;
      return xs as number[];
    },
    format: (v) => v.map(int ? String : formatNumber).join(','),
    same: (a, b) => a.length === b.length && a.every((x, i) => x === b[i]),
  };
}

/** a value of its own kind: the chapter gives the check, the URL form and the comparison */
export function custom<T>(o: FieldOptions<T> & Pick<Field<T>, 'check' | 'parse' | 'format' | 'same'>): Field<T> {
  return o;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Schema = Record<string, Field<any>>;
/** the values a schema describes */
export type ValuesOf<F extends Schema> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

export interface SettingsState<S> {
  /** sets one setting: validated (throws with a message naming it), recorded in the URL, passed to the session */
  set: <K extends keyof S>(key: K, value: S[K]) => void;
}

export interface Settings<F extends Schema, S = ValuesOf<F>> {
  use: UseBoundStore<StoreApi<S & SettingsState<S>>>;
  fields: F;
  defaults: S;
  /** the settings without the action */
  values(): S;
  /** throws the field's message when v is not allowed */
  validate<K extends keyof S>(key: K, v: unknown): void;
  /** keys whose change is sent to the running session / needs a new one */
  liveKeys: (keyof S)[];
  rebuildKeys: (keyof S)[];
  /** called after every change (by `set` and by back/forward); a session follows the settings here */
  onChange(f: (key: keyof S | null) => void): void;
  /** the settings' URL keys, as registered with bindUrl */
  binding: UrlBinding;
}

export interface SettingsDefinition<F extends Schema, S = ValuesOf<F>> {
  /** URL keys are "<prefix>.<field url>" */
  prefix: string;
  fields: F;
  /** more settings a change brings with it (e.g. a new optimizer's learning rate) */
  implies?: <K extends keyof S>(key: K, value: S[K], s: S) => Partial<S>;
  /** settings read from the URL made consistent with each other (e.g. an x that must be a point of the chosen data set) */
  normalize?: (s: S) => Partial<S>;
}

export function defineSettings<F extends Schema>(def: SettingsDefinition<F>): Settings<F> {
  // the body works on plain records; the signature carries the schema's types
  type S = Record<string, unknown>;
  const keys = Object.keys(def.fields);
  if (keys.includes('set')) throw new Error(`${def.prefix}: a setting cannot be called 'set' (the store's action has that name)`);
  const field = (k: string): Field<unknown> => def.fields[k]!;
  const isComputed = (k: string) => typeof field(k).default === 'function';
  const defaultOf = (k: string, s: S): unknown => {
    const d = field(k).default;
    return typeof d === 'function' ? (d as (s: S) => unknown)(s) : d;
  };
  // plain defaults first, computed ones from them
  const defaults: S = {};
  for (const k of keys) if (!isComputed(k)) defaults[k] = defaultOf(k, defaults);
  for (const k of keys) if (isComputed(k)) defaults[k] = defaultOf(k, defaults);

  const listeners: ((key: string | null) => void)[] = [];
  const changed = (key: string | null) => {
    for (const f of listeners) f(key);
  };

  const validate = (key: string, v: unknown): void => {
    if (!(key in def.fields)) throw new Error(`${def.prefix}: unknown setting '${key}'`);
    const bad = field(key).check(v);
    if (bad) throw new Error(bad);
  };

  const implies = def.implies as ((key: string, value: unknown, s: S) => S) | undefined;
  const use = create<S & { set: (key: string, value: unknown) => void }>()((set, get) => ({
    ...defaults,
    set: (key, value) => {
      validate(key, value);
      set({ [key]: value, ...implies?.(key, value, get()) });
      syncUrl();
      changed(key);
    },
  }));

  const values = (): S => {
    const { set: _set, ...s } = use.getState();
    return s;
  };

  const urlKeys = keys.filter((k) => field(k).url !== undefined);
  const urlKey = (k: string) => `${def.prefix}.${field(k).url!}`;
  const binding: UrlBinding = {
    keys: urlKeys.map(urlKey),
    read: (q) => {
      const next: S = {};
      const take = (k: string) => {
        const raw = q.get(urlKey(k));
        const v = raw === null ? undefined : field(k).parse(raw);
        next[k] = v !== undefined && field(k).check(v) === null ? v : defaultOf(k, next);
      };
      for (const k of urlKeys) if (!isComputed(k)) take(k);
      for (const k of urlKeys) if (isComputed(k)) take(k);
      const normalize = def.normalize as ((s: S) => S) | undefined;
      use.setState({ ...next, ...normalize?.({ ...values(), ...next }) });
      // back/forward: the session follows
      changed(null);
    },
    write: () => {
      const s = values();
      const out: Record<string, string | null> = {};
      for (const k of urlKeys) out[urlKey(k)] = field(k).same(s[k], defaultOf(k, s)) ? null : field(k).format(s[k]);
      return out;
    },
  };
  bindUrl(binding);

  return {
    use,
    fields: def.fields,
    defaults,
    values,
    validate,
    liveKeys: keys.filter((k) => field(k).change === 'live'),
    rebuildKeys: keys.filter((k) => field(k).change === 'rebuild'),
    onChange: (f: (key: string | null) => void) => void listeners.push(f),
    binding,
  } as unknown as Settings<F>;
}

// ── a training session that follows the settings ────────────────────────────────

/** the session's live controls, by the setting they take */
const LIVE: Record<string, (t: TrainingState, v: number) => Promise<void>> = {
  lr: (t, v) => t.setLearningRate(v),
  hidden: (t, v) => t.setHiddenSize(v),
  batchSize: (t, v) => t.setBatchSize(v),
  epochs: (t, v) => t.setEpochs(v),
};

export interface FollowingSession {
  /** a new session from the settings (data loaded in the worker, model built) */
  start(): Promise<void>;
  /**
   * Brings the session in line with the settings: a new session when a 'rebuild' setting
   * differs from what the session was built with, otherwise the changed 'live' settings
   * are sent. Does nothing before a session exists. A new learning rate waits while the
   * run is done (it would apply to no step): `continueRun` applies it.
   */
  sync(): void;
  /** a finished run, continued at the settings' learning rate for the settings' epochs more */
  continueRun(): Promise<void>;
}

/**
 * Ties a training store to the settings: every change is passed on by `sync`. `device`
 * names the setting that picks the backend; 'live' settings must be lr, hidden, batchSize
 * or epochs (the session's live controls).
 */
export function followSettings<F extends Schema, S extends ValuesOf<F> & { device: 'webgpu' | 'cpu' }>(
  settings: Settings<F, S>,
  training: TrainingStore,
  config: (s: S) => SessionConfig,
  o: { beforeStart?: (s: S, t: TrainingState) => void } = {},
): FollowingSession {
  for (const k of settings.liveKeys) {
    if (!(String(k) in LIVE)) throw new Error(`setting '${String(k)}' is marked live but the session has no live control for it`);
  }
  const buildKey = (s: S) => JSON.stringify(settings.rebuildKeys.map((k) => s[k]));
  /** what was last sent, not the snapshot (a reply may still be on its way); null before a session */
  let sent: { key: string; values: Partial<S> } | null = null;

  const sync = (): void => {
    const t = training.getState();
    const s = settings.values();
    if (t.phase !== 'ready' || !sent) return;
    if (sent.key !== buildKey(s)) {
      void start();
      return;
    }
    const done = t.snapshot?.state === 'done';
    for (const k of settings.liveKeys) {
      if (sent.values[k] !== s[k] && !(done && k === 'lr')) {
        sent.values[k] = s[k];
        void LIVE[String(k)]!(t, s[k] as number);
      }
    }
  };

  const continueRun = async (): Promise<void> => {
    const t = training.getState();
    const snap = t.snapshot;
    const s = settings.values() as S & { lr?: number; epochs?: number };
    if (!sent || !snap || snap.state !== 'done') return;
    await t.setEpochs(snap.epoch + (s.epochs ?? snap.epochs));
    if (s.lr !== undefined && (sent.values as { lr?: number }).lr !== s.lr) {
      (sent.values as { lr?: number }).lr = s.lr;
      await training.getState().setLearningRate(s.lr);
    }
    await training.getState().train();
  };

  const start = async (): Promise<void> => {
    const s = settings.values();
    const t = training.getState();
    o.beforeStart?.(s, t);
    sent = null;
    await t.init(config(s), s.device);
    if (training.getState().phase === 'ready') {
      sent = { key: buildKey(s), values: {} };
      for (const k of settings.liveKeys) sent.values[k] = s[k];
    }
    sync();
  };

  settings.onChange(() => sync());
  return { start, sync, continueRun };
}
