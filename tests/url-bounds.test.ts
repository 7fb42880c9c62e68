// URL state is bounded like the controls that set it: a hand-edited or stale value outside
// a control's range is refused (the store keeps its default) and leaves the address bar.

import { describe, expect, it } from 'vitest';
import { flatten, PARAM_RANGES, PARAM_REFS } from '../src/notebook/chapters/hand/hand-net';
import { HAND_START, LR_RANGE, parseWeights, SPF_RANGE, URL_WEIGHT_REACH } from '../src/notebook/chapters/hand/settings';
import { parseNumber, untakenKeys, type UrlBinding } from '../src/store/url';

const start = flatten(HAND_START);

describe('hand.w: each weight within reach of its slider range', () => {
  it('takes 13 weights inside the sliders, and weights training carried past a slider (3.07 for w1 in [−3, 3])', () => {
    expect(parseWeights(start.join(','))).toEqual(start);
    const ends = PARAM_REFS.map((r, k) => (k % 2 ? PARAM_RANGES[r.group].max : PARAM_RANGES[r.group].min));
    expect(parseWeights(ends.join(','))).toEqual(ends);
    const trained = start.slice();
    trained[0] = 3.07;
    expect(parseWeights(trained.join(','))).toEqual(trained);
    const reach = PARAM_REFS.map((r, k) => URL_WEIGHT_REACH * (k % 2 ? PARAM_RANGES[r.group].max : PARAM_RANGES[r.group].min));
    expect(parseWeights(reach.join(','))).toEqual(reach);
  });

  it('refuses 1e200 (Infinity on the loss chart at step 0), a weight past its reach, and non-numbers', () => {
    const huge = start.slice();
    huge[0] = 1e200;
    expect(parseWeights(huge.join(','))).toBeUndefined();
    for (const [k, r] of PARAM_REFS.entries()) {
      for (const v of [URL_WEIGHT_REACH * PARAM_RANGES[r.group].max + 0.01, URL_WEIGHT_REACH * PARAM_RANGES[r.group].min - 0.01]) {
        const w = start.slice();
        w[k] = v;
        expect(parseWeights(w.join(',')), `${r.name} = ${v}`).toBeUndefined();
      }
    }
    for (const raw of ['', 'abc', start.slice(1).join(','), `${start.join(',')},1`, start.join(',').replace('1', 'Infinity'), start.join(',').replace('1', 'NaN')]) {
      expect(parseWeights(raw), raw).toBeUndefined();
    }
    expect(parseWeights(null)).toBeUndefined();
  });

  it("the learning rate and steps per frame are held to their inputs' bounds", () => {
    expect(parseNumber('50', LR_RANGE.min, LR_RANGE.max)).toBeUndefined();
    expect(parseNumber('1e-9', LR_RANGE.min, LR_RANGE.max)).toBeUndefined();
    expect(parseNumber('0.5', LR_RANGE.min, LR_RANGE.max)).toBe(0.5);
    expect(parseNumber('1000', SPF_RANGE.min, SPF_RANGE.max)).toBeUndefined();
    expect(parseNumber('200', SPF_RANGE.min, SPF_RANGE.max)).toBe(200);
  });
});

describe('untakenKeys: the URL entries a store did not take, which then leave the address bar', () => {
  it('names the refused and the rewritten keys, not the taken ones nor the absent ones', () => {
    let lr = 0.1;
    const binding: UrlBinding = {
      keys: ['t.lr', 't.w', 't.n'],
      read: (q) => {
        lr = parseNumber(q.get('t.lr'), 0, 1) ?? 0.1;
      },
      write: () => ({ 't.lr': lr === 0.1 ? null : String(lr), 't.w': null, 't.n': null }),
    };
    let q = new URLSearchParams('t.lr=0.5&other=1');
    binding.read(q);
    expect(untakenKeys(binding, q)).toEqual([]);
    q = new URLSearchParams('t.lr=1e200&t.w=3');
    binding.read(q);
    expect(untakenKeys(binding, q)).toEqual(['t.lr', 't.w']);
  });
});
