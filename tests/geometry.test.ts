import { describe, expect, it } from 'vitest';
import { window2d } from '../src/engine/geometry';

describe('window2d', () => {
  it('valid, integer and same padding give the course output sizes', () => {
    expect(window2d('t', [1, 28, 28, 1], [5, 5], 1, 'valid')).toMatchObject({ oh: 24, ow: 24 });
    expect(window2d('t', [1, 28, 28, 1], [5, 5], 1, 2)).toMatchObject({ oh: 28, ow: 28, padTop: 2, padBottom: 2 });
    expect(window2d('t', [1, 28, 28, 1], [2, 2], 2, 'valid')).toMatchObject({ oh: 14, ow: 14 });
    // same with stride 2 on an odd size: out = ceil(7/2) = 4, total pad = 3·2 + 3 − 7 = 2
    expect(window2d('t', [1, 7, 6, 1], [3, 3], 2, 'same')).toMatchObject({ oh: 4, ow: 3, padTop: 1, padBottom: 1, padLeft: 0, padRight: 1 });
  });
  it('rejects a window that does not fit, naming the shapes', () => {
    expect(() => window2d('Conv2D', [1, 3, 3, 1], [5, 5], 1, 'valid')).toThrow(/Conv2D.*\(1, 3, 3, 1\)/);
  });
});
