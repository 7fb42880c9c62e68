// Labelled form controls. Every control has a visible label tied to it (its accessible
// name) and is operable from the keyboard: sliders step with the arrow keys, number
// fields commit on Enter or when focus leaves, selects are native.

import { createContext, useContext, useEffect, useId, useState, type ReactNode } from 'react';

/**
 * Where number fields report a value they refuse (label, message; null when it is fixed):
 * a cell provides it to keep an action off while a field holds a bad value.
 */
export const FieldErrors = createContext<((label: string, error: string | null) => void) | null>(null);

function defaultFormat(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(a >= 100 ? 1 : a >= 10 ? 2 : 3);
}

export interface SliderProps {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange: (v: number) => void;
  /** how the value is shown next to the slider */
  format?: (v: number) => string;
  /** extra text after the label (e.g. a formula); not part of the accessible name */
  hint?: ReactNode;
  disabled?: boolean;
  className?: string;
}

export function Slider({ label, value, min, max, step, onChange, format = defaultFormat, hint, disabled, className }: SliderProps) {
  const id = useId();
  const shown = format(value);
  const outside = value < min || value > max;
  return (
    <div className={`control slider${className ? ` ${className}` : ''}`}>
      <label htmlFor={id} className="control-label">
        {label}
      </label>
      {hint ? <span className="control-hint">{hint}</span> : null}
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={step}
        value={Math.min(max, Math.max(min, value))}
        aria-valuetext={shown}
        disabled={disabled}
        onChange={(e) => onChange(Number(e.currentTarget.value))}
      />
      {/* the value is announced through the slider's aria-valuetext; this is its visual twin */}
      <output htmlFor={id} aria-hidden="true" className={`control-value${outside ? ' outside' : ''}`} title={outside ? `outside the slider's range ${min}…${max}` : undefined}>
        {shown}
      </output>
    </div>
  );
}

export interface NumberInputProps {
  label: string;
  value: number;
  onChange: (v: number) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  hint?: ReactNode;
  disabled?: boolean;
  className?: string;
}

/** A number field that keeps the draft text while typing and commits a valid value. */
export function NumberInput({ label, value, onChange, min, max, step = 'any', hint, disabled, className }: NumberInputProps) {
  const id = useId();
  const errId = useId();
  const [draft, setDraft] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(String(value));
    setError(null);
  }, [value]);
  const report = useContext(FieldErrors);
  useEffect(() => {
    report?.(label, error);
    return () => report?.(label, null);
  }, [report, label, error]);

  const commit = () => {
    const v = Number(draft);
    if (draft.trim() === '' || !Number.isFinite(v)) return setError('enter a number');
    if (min !== undefined && v < min) return setError(`at least ${min}`);
    if (max !== undefined && v > max) return setError(`at most ${max}`);
    setError(null);
    if (v !== value) onChange(v);
  };

  return (
    <div className={`control number${className ? ` ${className}` : ''}`}>
      <label htmlFor={id} className="control-label">
        {label}
      </label>
      {hint ? <span className="control-hint">{hint}</span> : null}
      <input
        id={id}
        type="number"
        inputMode="decimal"
        min={min}
        max={max}
        step={step}
        value={draft}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errId : undefined}
        onChange={(e) => setDraft(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setDraft(String(value));
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

export interface SelectOption<V extends string> {
  value: V;
  label: string;
}

export interface SelectProps<V extends string> {
  label: string;
  value: V;
  options: readonly SelectOption<V>[];
  onChange: (v: V) => void;
  disabled?: boolean;
  className?: string;
}

export function Select<V extends string>({ label, value, options, onChange, disabled, className }: SelectProps<V>) {
  const id = useId();
  return (
    <div className={`control select${className ? ` ${className}` : ''}`}>
      <label htmlFor={id} className="control-label">
        {label}
      </label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.currentTarget.value as V)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export interface ProgressProps {
  label: string;
  /** undefined: indeterminate (work under way, amount unknown) */
  value?: number;
  max?: number;
  /** text after the bar, e.g. "1 200 / 5 000 steps" */
  detail?: string;
}

export function Progress({ label, value, max = 1, detail }: ProgressProps) {
  const id = useId();
  const frac = value === undefined ? undefined : Math.min(1, Math.max(0, value / max));
  return (
    <div className="progress">
      <span id={id} className="control-label">
        {label}
      </span>
      <div
        className={`progress-track${frac === undefined ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-labelledby={id}
        aria-valuemin={frac === undefined ? undefined : 0}
        aria-valuemax={frac === undefined ? undefined : max}
        aria-valuenow={frac === undefined ? undefined : value}
        aria-valuetext={detail}
      >
        <div className="progress-fill" style={frac === undefined ? undefined : { width: `${(frac * 100).toFixed(2)}%` }} />
      </div>
      {detail ? <span className="progress-detail">{detail}</span> : null}
    </div>
  );
}
