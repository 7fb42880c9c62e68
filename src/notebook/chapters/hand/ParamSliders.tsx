// A slider for each of the 13 parameters, grouped by hidden unit: unit j owns
// w1[j] and b1[j] (its input side) and w2[j] (its output side); b2 is the output's bias.

import { useHandNetwork } from './settings';
import { Slider } from '../../../ui/controls';
import { PARAM_RANGES, PARAM_REFS, getParam, type ParamRef } from './hand-net';
import { UNIT_COLORS } from '../../../ui/colors';
import { fmtFixed } from '../../../ui/format';


const fmt = (v: number) => fmtFixed(v, (a) => (a >= 100 ? 1 : 2));

function ParamSlider({ r }: { r: ParamRef }) {
  const value = useHandNetwork((s) => getParam(s.params, r));
  const setParam = useHandNetwork((s) => s.setParam);
  const range = PARAM_RANGES[r.group];
  return <Slider label={r.name} value={value} {...range} format={fmt} onChange={(v) => setParam(r, v)} />;
}

export function ParamSliders() {
  const units = [0, 1, 2, 3];
  const byUnit = (j: number) => PARAM_REFS.filter((r) => r.group !== 'b2' && r.index === j);
  const b2 = PARAM_REFS.find((r) => r.group === 'b2')!;
  return (
    <div className="param-grid" role="group" aria-label="Weights and biases">
      {units.map((j) => (
        <fieldset key={j} className="unit-box">
          <legend>
            <span className="unit-swatch" style={{ background: UNIT_COLORS[j] }} aria-hidden="true" />
            Hidden unit {j + 1}
          </legend>
          {byUnit(j).map((r) => (
            <ParamSlider key={r.name} r={r} />
          ))}
        </fieldset>
      ))}
      <fieldset className="unit-box output-box">
        <legend>Output</legend>
        <ParamSlider r={b2} />
      </fieldset>
    </div>
  );
}
