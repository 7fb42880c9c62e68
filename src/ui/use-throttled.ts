import { useEffect, useRef, useState } from 'react';

/** how often a live chart redraws at most: ≥ 5 redraws a second, not one per metric batch */
export const CHART_REFRESH_MS = 120;

/**
 * `value`, updated at most every `ms` (the latest value always arrives, at most `ms`
 * late): a live chart redraws a few times a second however often metrics arrive.
 */
export function useThrottled<T>(value: T, ms = CHART_REFRESH_MS): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + ms - performance.now();
    if (wait <= 0) {
      last.current = performance.now();
      setShown(() => value);
      return;
    }
    const id = setTimeout(() => {
      last.current = performance.now();
      setShown(() => value);
    }, wait);
    return () => clearTimeout(id);
  }, [value, ms]);
  return shown;
}
