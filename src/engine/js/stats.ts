// Robust statistics over a numeric series (a JSON array's field, a log field of lines of one
// shape; twin of stats.rs): outliers by median and MAD, and change points (level shifts). Plain
// IEEE arithmetic in the same order as the Rust engine, so both compute the same bits; results
// are positions, never printed floats.

/** A value is an outlier when its modified z-score (0.6745 · |x − median| / MAD) exceeds this. */
export const OUTLIER_Z = 3.5;
/** Window medians differing by more than this many robust standard deviations mark a shift. */
export const CHANGE_SIGMAS = 2.5;
/** Fewer values than this get no outliers. */
export const MIN_VALUES = 8;
/** Fewer values than this get no change points. */
export const MIN_SERIES = 20;

/** `x` sorts before `y` in Float64Array order (-0 before +0, as Rust's `total_cmp`). */
function before(x: number, y: number): boolean {
  return x < y || (x === 0 && y === 0 && Object.is(x, -0) && !Object.is(y, -0));
}

export function medianSorted(v: ArrayLike<number>): number {
  const n = v.length;
  return n % 2 === 1 ? v[n >> 1]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
}

/**
 * The median of every window of `w` values (`values.length - w + 1` of them), each computed once:
 * the window is kept sorted as it slides (one value out, one in), not sorted afresh for every
 * position.
 */
export function slidingMedians(values: Float64Array, w: number): Float64Array {
  const n = values.length;
  const window: number[] = Array.from(values.slice(0, w).sort());
  const medians = new Float64Array(n - w + 1);
  medians[0] = medianSorted(window);
  for (let k = 1; k <= n - w; k++) {
    const gone = values[k - 1]!;
    let at = 0;
    while (at < window.length && before(window[at]!, gone)) at++;
    window.splice(at, 1);
    const fresh = values[k + w - 1]!;
    at = 0;
    while (at < window.length && !before(fresh, window[at]!)) at++;
    window.splice(at, 0, fresh);
    medians[k] = medianSorted(window);
  }
  return medians;
}

/** Median and a robust scale (MAD, or the scaled mean absolute deviation when the MAD is 0). */
export function centerAndScale(values: Float64Array): [number, number] {
  const sorted = values.slice().sort();
  const med = medianSorted(sorted);
  const dev = new Float64Array(values.length);
  let sum = 0;
  for (let k = 0; k < values.length; k++) dev[k] = Math.abs(values[k]! - med);
  for (let k = 0; k < dev.length; k++) sum += dev[k]!;
  dev.sort();
  const mad = medianSorted(dev);
  if (mad > 0) return [med, mad];
  return [med, ((sum / values.length) * 1.2533) / 1.4826];
}

/** Outliers and change points of one series, sharing its median and scale. */
export function outliersAndChanges(values: Float64Array): [number[], number[]] {
  if (values.length < MIN_VALUES) return [[], []];
  const spread = centerAndScale(values);
  return [outliersBy(values, spread), changePointsBy(values, spread)];
}

/** Positions (into `values`) of outliers. */
export function outliers(values: Float64Array): number[] {
  if (values.length < MIN_VALUES) return [];
  return outliersBy(values, centerAndScale(values));
}

function outliersBy(values: Float64Array, [med, scale]: [number, number]): number[] {
  if (scale <= 0) return [];
  const limit = OUTLIER_Z * scale;
  const out: number[] = [];
  for (let k = 0; k < values.length; k++) if (0.6745 * Math.abs(values[k]! - med) > limit) out.push(k);
  return out;
}

/** The window (values on each side) whose medians `changePoints` compares, for `n` values. */
export function changeWindow(n: number): number {
  return Math.min(10, Math.max(3, Math.floor(n / 10)));
}

/**
 * A change point found by window medians lies within a window of the true shift; this moves it
 * to the largest single step within that window (the first of equal ones), where the series
 * actually jumped.
 */
export function sharpenChange(values: Float64Array, c: number): number {
  const w = changeWindow(values.length);
  const lo = Math.max(1, c - (w - 1));
  const hi = Math.min(c + w - 1, values.length - 1);
  let best = c;
  let step = -1;
  for (let k = lo; k <= hi; k++) {
    const s = Math.abs(values[k]! - values[k - 1]!);
    if (s > step) {
      step = s;
      best = k;
    }
  }
  return best;
}

/** Positions (into `values`) where a level shift starts (see stats.rs). */
export function changePoints(values: Float64Array): number[] {
  if (values.length < MIN_SERIES) return [];
  return changePointsBy(values, centerAndScale(values));
}

function changePointsBy(values: Float64Array, [, scale]: [number, number]): number[] {
  const n = values.length;
  if (n < MIN_SERIES || scale <= 0) return [];
  const limit = CHANGE_SIGMAS * 1.4826 * scale;
  const w = changeWindow(n);
  const medians = slidingMedians(values, w);
  const d = new Float64Array(n - 2 * w + 1);
  for (let k = w; k <= n - w; k++) d[k - w] = Math.abs(medians[k]! - medians[k - w]!);
  const out: number[] = [];
  for (let j = 0; j < d.length; j++) {
    const dj = d[j]!;
    if (dj <= limit) continue;
    const lo = Math.max(0, j - w);
    const hi = Math.min(j + w, d.length - 1);
    let peak = true;
    for (let x = lo; x < j && peak; x++) if (!(d[x]! < dj)) peak = false;
    for (let x = j + 1; x <= hi && peak; x++) if (!(d[x]! <= dj)) peak = false;
    if (peak) out.push(j + w);
  }
  return out;
}
