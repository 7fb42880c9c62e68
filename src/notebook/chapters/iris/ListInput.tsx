// A labelled text field for a comma-separated list of numbers (a sweep's learning rates
// or hidden sizes). It keeps the draft while typing and commits a valid list on Enter or
// when focus leaves; an invalid list is named in an alert and not committed.

import { useEffect, useId, useState } from 'react';

export interface ListInputProps {
  label: string;
  value: readonly number[];
  onChange: (v: number[]) => void;
  min: number;
  max: number;
  integer?: boolean;
  maxLength: number;
  disabled?: boolean;
}

/** the list in `text`, or the reason it is not one */
export function parseList(text: string, o: { min: number; max: number; integer?: boolean; maxLength: number }): number[] | string {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return 'enter at least one value';
  if (parts.length > o.maxLength) return `at most ${o.maxLength} values`;
  const xs: number[] = [];
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isFinite(v)) return `"${p}" is not a number`;
    if (o.integer && !Number.isInteger(v)) return `"${p}" is not a whole number`;
    if (v < o.min || v > o.max) return `"${p}" is outside ${o.min}…${o.max}`;
    xs.push(v);
  }
  if (new Set(xs).size !== xs.length) return 'each value once';
  return xs;
}

export function ListInput({ label, value, onChange, min, max, integer, maxLength, disabled }: ListInputProps) {
  const id = useId();
  const errId = useId();
  const shown = value.join(', ');
  const [draft, setDraft] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(shown);
    setError(null);
  }, [shown]);
  const commit = () => {
    const r = parseList(draft, { min, max, integer, maxLength });
    if (typeof r === 'string') return setError(r);
    setError(null);
    if (r.join(',') !== value.join(',')) onChange(r);
  };
  return (
    <div className="control list">
      <label htmlFor={id} className="control-label">
        {label}
      </label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        spellCheck={false}
        autoComplete="off"
        value={draft}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errId : undefined}
        onChange={(e) => setDraft(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setDraft(shown);
            setError(null);
          }
        }}
      />
      {error ? (
        <span id={errId} className="control-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
