// Page state in the URL's query string, so that a reload or a shared link restores it.
//
// Each store registers a binding: which keys it owns, how to read them (on load and on
// back/forward) and how to write them. Writes are batched: one history entry per
// navigation (`push`), otherwise the current entry is replaced at most a few times a
// second (`replace`), so a running animation never floods the history API.

import { fmtSig } from '../ui/format';

export interface UrlBinding {
  /** the query keys this binding owns, e.g. ["hand.lr", "hand.set"] */
  keys: readonly string[];
  /** apply the values found in the URL (missing keys mean "default") */
  read(params: URLSearchParams): void;
  /** the values to write; null or a missing key removes it from the URL */
  write(): Record<string, string | null>;
}

const bindings: UrlBinding[] = [];
let pendingTimer: ReturnType<typeof setTimeout> | undefined;
let listening = false;
const REPLACE_INTERVAL_MS = 300;

function currentParams(): URLSearchParams {
  return new URLSearchParams(typeof location === 'undefined' ? '' : location.search);
}

function composeUrl(): string {
  const params = currentParams();
  for (const b of bindings) {
    const values = b.write();
    for (const key of b.keys) {
      const v = values[key];
      if (v === null || v === undefined) params.delete(key);
      else params.set(key, v);
    }
  }
  const qs = params.toString();
  return `${location.pathname}${qs ? `?${qs}` : ''}${location.hash}`;
}

function flushReplace(): void {
  pendingTimer = undefined;
  const url = composeUrl();
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', url);
}

/**
 * The keys of `binding` whose value in `params` the store did not take as it is: a value
 * refused (out of its control's bounds, not a number, …) or written back differently.
 */
export function untakenKeys(binding: UrlBinding, params: URLSearchParams): string[] {
  const written = binding.write();
  return binding.keys.filter((k) => params.has(k) && (written[k] ?? null) !== params.get(k));
}

/**
 * Register a store's URL keys; reads them at once from the current URL. A value the store
 * refused leaves the address bar (the entry is replaced with what the store holds).
 */
export function bindUrl(binding: UrlBinding): void {
  bindings.push(binding);
  if (typeof location === 'undefined') return;
  const params = currentParams();
  binding.read(params);
  if (untakenKeys(binding, params).length) syncUrl('replace');
  if (!listening) {
    listening = true;
    window.addEventListener('popstate', () => {
      const params = currentParams();
      for (const b of bindings) b.read(params);
    });
  }
}

/** Record a state change in the URL: 'push' adds a history entry (navigation), 'replace' is throttled. */
export function syncUrl(mode: 'push' | 'replace' = 'replace'): void {
  if (typeof location === 'undefined') return;
  if (mode === 'push') {
    if (pendingTimer !== undefined) clearTimeout(pendingTimer);
    pendingTimer = undefined;
    const url = composeUrl();
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.pushState(null, '', url);
    return;
  }
  pendingTimer ??= setTimeout(flushReplace, REPLACE_INTERVAL_MS);
}

/** A query string with `overrides` applied to the current one (for links that keep the other state). */
export function hrefWith(overrides: Record<string, string | null>): string {
  const params = currentParams();
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) params.delete(k);
    else params.set(k, v);
  }
  const qs = params.toString();
  return qs ? `?${qs}` : location.pathname;
}

// ── codecs ──────────────────────────────────────────────────────────────────

/** a finite number within [min, max], or undefined */
export function parseNumber(raw: string | null, min = -Infinity, max = Infinity): number | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  const v = Number(raw);
  return Number.isFinite(v) && v >= min && v <= max ? v : undefined;
}

/** numbers with up to 6 significant digits, trailing zeros dropped */
export function formatNumber(v: number): string {
  return fmtSig(v, 6);
}

/** a comma-separated list of exactly n finite numbers, or undefined */
export function parseNumberList(raw: string | null, n: number): number[] | undefined {
  if (raw === null) return undefined;
  const parts = raw.split(',');
  if (parts.length !== n) return undefined;
  const vs = parts.map((s) => parseNumber(s));
  return vs.every((v) => v !== undefined) ? (vs as number[]) : undefined;
}
