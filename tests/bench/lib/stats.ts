/** A value across runs: the median and the range it moved in. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile `p` (0..100) of ascending `sorted`. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Median of `values` (mean of the middle two for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median, min and max of the finite numbers in `values`; undefined when there are none. */
export function spread(values: readonly (number | undefined)[]): Spread | undefined {
  const numbers = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  if (numbers.length === 0) return undefined;
  return { median: round(median(numbers), 3), min: Math.min(...numbers), max: Math.max(...numbers) };
}

/** Rounds to `digits` decimals, for results.json. */
export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
