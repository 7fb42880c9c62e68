// A chapter's settings as labelled controls, from the settings' schema (src/store/settings.ts):
// a number field gets a number input with the field's bounds (whole numbers for an integer
// field), a field of choices a select. The chapter names each control and its choices.

import type { ReactNode } from 'react';
import type { Field, Schema, Settings } from '../../store/settings';
import { NumberInput, Select } from '../../ui/controls';

export interface ControlSpec {
  /** the setting's key in the schema */
  key: string;
  label: string;
  hint?: ReactNode;
  /** the words for a choice (default: the value itself) */
  choiceLabel?: (v: string | number) => string;
}

type AnyField = Field<unknown> & { min?: number; max?: number; int?: boolean; choices?: readonly (string | number)[] };

function Control<F extends Schema>({ settings, spec }: { settings: Settings<F>; spec: ControlSpec }) {
  const use = settings.use as unknown as <T>(pick: (s: Record<string, unknown>) => T) => T;
  const value = use((s) => s[spec.key]);
  const set = use((s) => s.set as (key: string, v: unknown) => void);
  const f = settings.fields[spec.key] as AnyField | undefined;
  if (!f) throw new Error(`no setting '${spec.key}' to make a control for`);
  if (f.choices) {
    const numeric = typeof f.choices[0] === 'number';
    return (
      <Select<string>
        label={spec.label}
        value={String(value)}
        options={f.choices.map((c) => ({ value: String(c), label: spec.choiceLabel ? spec.choiceLabel(c) : String(c) }))}
        onChange={(v) => set(spec.key, numeric ? Number(v) : v)}
      />
    );
  }
  return (
    <NumberInput
      label={spec.label}
      hint={spec.hint}
      value={value as number}
      min={f.min}
      max={f.max}
      step={f.int ? 1 : 'any'}
      onChange={(v) => set(spec.key, f.int ? Math.round(v) : v)}
    />
  );
}

/** the chapter's settings in a labelled group, in the order given */
export function SettingsControls<F extends Schema>({ settings, controls, legend = 'Hyperparameters' }: { settings: Settings<F>; controls: ControlSpec[]; legend?: string }) {
  return (
    <fieldset className="settings-group">
      <legend>{legend}</legend>
      <div className="controls-row">
        {controls.map((c) => (
          <Control key={c.key} settings={settings} spec={c} />
        ))}
      </div>
    </fieldset>
  );
}

/** the words for the device choice */
export const deviceLabel = (v: string | number) => (v === 'cpu' ? 'CPU reference (float64)' : 'WebGPU');
