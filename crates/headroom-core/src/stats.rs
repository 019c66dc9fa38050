//! Robust statistics over a numeric series (a JSON array's field, a log field of lines of one
//! shape): outliers by median and MAD, and change points (level shifts). Plain IEEE arithmetic
//! in a fixed order, so the JS twin (`stats.ts`) computes the same bits; results are positions,
//! never printed floats.

/// A value is an outlier when its modified z-score (0.6745 · |x − median| / MAD) exceeds this.
pub const OUTLIER_Z: f64 = 3.5;
/// A level shift is a change point when the medians of the windows before and after it differ by
/// more than this many robust standard deviations (1.4826 · MAD).
pub const CHANGE_SIGMAS: f64 = 2.5;
/// Fewer values than this get no outliers.
pub const MIN_VALUES: usize = 8;
/// Fewer values than this get no change points.
pub const MIN_SERIES: usize = 20;

pub fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The median of every window of `w` values (`values.len() - w + 1` of them), each computed once:
/// the window is kept sorted as it slides (one value out, one in), not sorted afresh for every
/// position.
pub fn sliding_medians(values: &[f64], w: usize) -> Vec<f64> {
    let n = values.len();
    let mut window: Vec<f64> = values[..w].to_vec();
    window.sort_by(f64::total_cmp);
    let mut medians: Vec<f64> = Vec::with_capacity(n - w + 1);
    medians.push(median_sorted(&window));
    for k in 1..=n - w {
        let gone = values[k - 1];
        let at = window.partition_point(|x| x.total_cmp(&gone).is_lt());
        window.remove(at);
        let new = values[k + w - 1];
        let at = window.partition_point(|x| x.total_cmp(&new).is_le());
        window.insert(at, new);
        medians.push(median_sorted(&window));
    }
    medians
}

/// The median, by selection in linear time (the values are reordered). The order statistics are
/// the same whatever the algorithm, so the JS twin may sort instead.
fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    let (left, &mut mid, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return mid;
    }
    let below = left.iter().copied().max_by(f64::total_cmp).unwrap_or(mid);
    (below + mid) / 2.0
}

/// Median and a robust scale: the MAD, or when more than half the values are equal, the mean
/// absolute deviation from the median times 1.2533 / 1.4826 (so both estimate σ / 1.4826).
pub fn center_and_scale(values: &[f64]) -> (f64, f64) {
    let med = median(&mut values.to_vec());
    let mut dev: Vec<f64> = values.iter().map(|x| (x - med).abs()).collect();
    let mut sum = 0.0;
    for d in &dev {
        sum += d;
    }
    let mad = median(&mut dev);
    if mad > 0.0 {
        return (med, mad);
    }
    (med, sum / values.len() as f64 * 1.2533 / 1.4826)
}

/// Outliers and change points of one series, sharing its median and scale.
pub fn outliers_and_changes(values: &[f64]) -> (Vec<usize>, Vec<usize>) {
    if values.len() < MIN_VALUES {
        return (Vec::new(), Vec::new());
    }
    let spread = center_and_scale(values);
    (
        outliers_by(values, spread),
        change_points_by(values, spread),
    )
}

/// Positions (into `values`) of outliers.
pub fn outliers(values: &[f64]) -> Vec<usize> {
    if values.len() < MIN_VALUES {
        return Vec::new();
    }
    outliers_by(values, center_and_scale(values))
}

fn outliers_by(values: &[f64], (med, scale): (f64, f64)) -> Vec<usize> {
    if scale <= 0.0 {
        return Vec::new();
    }
    let limit = OUTLIER_Z * scale;
    (0..values.len())
        .filter(|&k| 0.6745 * (values[k] - med).abs() > limit)
        .collect()
}

/// Positions (into `values`) where a level shift starts: each returned `k` means the series moved
/// between `k - 1` and `k`, because the medians of the windows before and after `k` differ (a
/// median ignores a lone spike, which is an outlier, not a shift). A shift is kept only where it
/// is the largest within one window either side.
pub fn change_points(values: &[f64]) -> Vec<usize> {
    if values.len() < MIN_SERIES {
        return Vec::new();
    }
    change_points_by(values, center_and_scale(values))
}

fn change_points_by(values: &[f64], (_, scale): (f64, f64)) -> Vec<usize> {
    let n = values.len();
    if n < MIN_SERIES || scale <= 0.0 {
        return Vec::new();
    }
    let limit = CHANGE_SIGMAS * 1.4826 * scale;
    let w = change_window(n);
    let medians = sliding_medians(values, w);
    let d: Vec<f64> = (w..=n - w)
        .map(|k| (medians[k] - medians[k - w]).abs())
        .collect();
    let mut out = Vec::new();
    for (j, &dj) in d.iter().enumerate() {
        if dj <= limit {
            continue;
        }
        let lo = j.saturating_sub(w);
        let hi = (j + w).min(d.len() - 1);
        // The largest in its neighbourhood; ties go to the first.
        if d[lo..j].iter().all(|&x| x < dj) && d[j + 1..=hi].iter().all(|&x| x <= dj) {
            out.push(j + w);
        }
    }
    out
}

/// The window (values on each side) whose medians `change_points` compares, for `n` values.
pub fn change_window(n: usize) -> usize {
    (n / 10).clamp(3, 10)
}

/// A change point found by window medians lies within a window of the true shift; this moves it
/// to the largest single step within that window (the first of equal ones), where the series
/// actually jumped.
pub fn sharpen_change(values: &[f64], c: usize) -> usize {
    let w = change_window(values.len());
    let lo = c.saturating_sub(w - 1).max(1);
    let hi = (c + w - 1).min(values.len() - 1);
    let mut best = c;
    let mut step = -1.0;
    for k in lo..=hi {
        let s = (values[k] - values[k - 1]).abs();
        if s > step {
            step = s;
            best = k;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_outliers_by_median_and_mad() {
        let mut v: Vec<f64> = (0..40).map(|i| 10.0 + (i % 5) as f64).collect();
        v[17] = 500.0;
        v[30] = -200.0;
        assert_eq!(outliers(&v), [17, 30]);
        assert!(outliers(&[1.0; 30]).is_empty());
        // Mostly equal values: the mean absolute deviation takes over from a zero MAD.
        let mut z = vec![0.0; 40];
        z[5] = 1.0;
        z[9] = 40.0;
        assert_eq!(outliers(&z), [9]);
    }

    #[test]
    fn finds_level_shifts() {
        let v: Vec<f64> = (0..60)
            .map(|i| {
                if i < 35 {
                    5.0 + (i % 3) as f64
                } else {
                    50.0 + (i % 3) as f64
                }
            })
            .collect();
        assert_eq!(change_points(&v), [35]);
        assert_eq!(sharpen_change(&v, 33), 35);
        let flat: Vec<f64> = (0..60).map(|i| (i % 4) as f64).collect();
        assert!(change_points(&flat).is_empty());
        // A lone spike is an outlier, not a level shift.
        let mut spike: Vec<f64> = (0..40).map(|i| 10.0 + (i % 2) as f64).collect();
        spike[20] = 900.0;
        assert!(change_points(&spike).is_empty());
    }
}
