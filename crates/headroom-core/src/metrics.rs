//! Metric series (twin of `metrics.ts`): `timestamp,value` rows as CSV text, with an optional
//! header. Above the block's budget a series keeps its first and last rows, its global maximum
//! and minimum, a window of rows around each spike, dip and level shift (strongest first), and
//! rows spread evenly over the rest; each omitted run leaves a marker with its value range and
//! time span. Kept rows are the input's bytes. JSON arrays of time/value records reach
//! `anomaly_rows` through the JSON selection.
//!
//! Scores are plain IEEE arithmetic in a fixed order (medians, differences, divisions), so the JS
//! twin ranks the same rows; no computed float is ever printed.

use crate::block::{BlockOptions, Compressed, Omission};
use crate::budget::{estimate_tokens, fit, lossless_above};
use crate::marker;
use crate::stats::{center_and_scale, median_sorted, sliding_medians};
use crate::tokens::count_tokens;

/// Fewer rows than this are not a series.
pub const MIN_ROWS: usize = 16;
/// A time field is at most this long.
const MAX_TIME_BYTES: usize = 40;
/// Half the window of the rolling median a spike stands out from.
const SPIKE_HALF: usize = 5;
/// A spike or dip: this many robust standard deviations of the residuals from the rolling median.
const SPIKE_Z: f64 = 6.0;
/// Window lengths whose medians before and after a row are compared for level shifts.
const SHIFT_WINDOWS: [usize; 2] = [6, 24];
/// A level shift: the medians differ by this many robust standard deviations of the series.
const SHIFT_SIGMAS: f64 = 1.5;
/// Rows kept on each side of an anomaly.
const WINDOW: usize = 2;
/// Shares of the budget (percent) anomalies may take before even coverage gets its turn, and
/// coverage before the remaining anomalies get theirs.
const ANOMALY_SHARE: usize = 40;
const COVERAGE_SHARE: usize = 75;
/// An omitted run this short is kept: its marker would cost as much as its rows.
const SHORT_RUN: usize = 2;
/// Anomalies whose windows the JSON selection must keep, strongest first.
const JSON_EVENTS: usize = 24;

/// One data row: the raw line (its `\r` included) and its fields.
struct Row<'a> {
    line: &'a str,
    time: &'a str,
    value: &'a str,
    x: f64,
}

/// A block parsed as a metric series.
pub struct Series<'a> {
    header: Option<&'a str>,
    /// The value column's name in markers (the header's, when it is a plain name).
    name: &'a str,
    rows: Vec<Row<'a>>,
    trailing_newline: bool,
}

/// A time field: starts with a digit; digits and `-:.TZ+/` and spaces (ISO dates, epoch seconds).
fn time_like(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_TIME_BYTES
        && b[0].is_ascii_digit()
        && b.iter()
            .all(|c| c.is_ascii_digit() || b"-:.TZ+/ ".contains(c))
}

/// A decimal number (`-12`, `3.5`, `.5`, `1e-3`), finite.
fn number(v: &str) -> Option<f64> {
    let b = v.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let int = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    i += int;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        frac = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += 1 + frac;
    }
    if int + frac == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'-' | b'+')));
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    if i != b.len() {
        return None;
    }
    v.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `time,value` (spaces around either field allowed), or `None`.
fn row(line: &str) -> Option<Row<'_>> {
    let text = line.strip_suffix('\r').unwrap_or(line);
    let (t, v) = text.split_once(',')?;
    let (time, value) = (t.trim_matches(' '), v.trim_matches(' '));
    if !time_like(time) {
        return None;
    }
    let x = number(value)?;
    Some(Row {
        line,
        time,
        value,
        x,
    })
}

/// A header: two fields, the second not a number.
fn header_like(line: &str) -> bool {
    let text = line.strip_suffix('\r').unwrap_or(line);
    text.split_once(',')
        .is_some_and(|(_, v)| !v.contains(',') && number(v.trim_matches(' ')).is_none())
}

/// The value column's name, when the header gives a plain one.
fn value_name(header: &str) -> Option<&str> {
    let text = header.strip_suffix('\r').unwrap_or(header);
    let (_, v) = text.split_once(',')?;
    let v = v.trim_matches(' ');
    let plain = !v.is_empty()
        && v.len() <= 32
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'));
    plain.then_some(v)
}

/// Whether the lines of a block's prefix are a metric series (detection's rule): an optional
/// header, then at least `MIN_ROWS` rows; the last line may be cut short by the prefix.
pub fn is_series<S: AsRef<str>>(lines: &[S]) -> bool {
    let skip = usize::from(lines.first().is_some_and(|l| {
        let l = l.as_ref();
        row(l).is_none() && header_like(l)
    }));
    let body = &lines[skip.min(lines.len())..];
    let Some((_, whole)) = body.split_last() else {
        return false;
    };
    whole.len() >= MIN_ROWS && whole.iter().all(|l| row(l.as_ref()).is_some())
}

/// Parses a whole block as a metric series.
pub fn parse(content: &str) -> Option<Series<'_>> {
    let trailing_newline = content.ends_with('\n');
    let body = if trailing_newline {
        &content[..content.len() - 1]
    } else {
        content
    };
    let mut lines = body.split('\n');
    let first = lines.next()?;
    let mut rows = Vec::new();
    let header = match row(first) {
        Some(r) => {
            rows.push(r);
            None
        }
        None if header_like(first) => Some(first),
        None => return None,
    };
    for l in lines {
        crate::stop::poll(l.len() + 1);
        rows.push(row(l)?);
    }
    (rows.len() >= MIN_ROWS).then(|| Series {
        header,
        name: header.and_then(value_name).unwrap_or("value"),
        rows,
        trailing_newline,
    })
}

/// An anomaly: a row and how far beyond its threshold it is (1 = at the threshold).
struct Event {
    at: usize,
    strength: f64,
}

/// Whether `s[i]` is the largest within `w` either side (ties go to the first).
fn peak(s: &[f64], i: usize, w: usize) -> bool {
    let lo = i.saturating_sub(w);
    let hi = (i + w).min(s.len() - 1);
    s[lo..i].iter().all(|&x| x < s[i]) && s[i + 1..=hi].iter().all(|&x| x <= s[i])
}

/// Spikes and dips: rows far from the median of the rows around them, in units of the residuals'
/// robust spread (so a noisy series needs a larger spike).
fn spikes(x: &[f64], out: &mut Vec<Event>) {
    let n = x.len();
    let mut residual = Vec::with_capacity(n);
    let mut window = Vec::with_capacity(2 * SPIKE_HALF + 1);
    for i in 0..n {
        crate::stop::poll(2 * SPIKE_HALF + 1);
        window.clear();
        window.extend_from_slice(&x[i.saturating_sub(SPIKE_HALF)..(i + SPIKE_HALF + 1).min(n)]);
        window.sort_by(f64::total_cmp);
        residual.push(x[i] - median_sorted(&window));
    }
    let (_, scale) = center_and_scale(&residual);
    if scale <= 0.0 {
        return;
    }
    let sigma = 1.4826 * scale;
    let z: Vec<f64> = residual.iter().map(|r| r.abs() / sigma).collect();
    for i in 0..n {
        crate::stop::poll(1);
        if z[i] >= SPIKE_Z && peak(&z, i, SPIKE_HALF) {
            out.push(Event {
                at: i,
                strength: z[i] / SPIKE_Z,
            });
        }
    }
}

/// Level shifts: rows where the median of the `w` rows from there differs from the median of the
/// `w` rows before, in units of the whole series' robust spread; placed at the largest single
/// step near there, where the series actually moved.
fn shifts(x: &[f64], w: usize, sigma: f64, out: &mut Vec<Event>) {
    let n = x.len();
    if n < 4 * w || sigma <= 0.0 {
        return;
    }
    let medians = sliding_medians(x, w);
    // d[j] compares the windows either side of row j + w.
    let d: Vec<f64> = (w..=n - w)
        .map(|k| (medians[k] - medians[k - w]).abs() / sigma)
        .collect();
    for j in 0..d.len() {
        crate::stop::poll(2 * w + 1);
        if d[j] < SHIFT_SIGMAS || !peak(&d, j, w) {
            continue;
        }
        let k = j + w;
        let (mut best, mut step) = (k, -1.0);
        for p in (k + 1).saturating_sub(w).max(1)..=(k + w - 1).min(n - 1) {
            let s = (x[p] - x[p - 1]).abs();
            if s > step {
                step = s;
                best = p;
            }
        }
        out.push(Event {
            at: best,
            strength: d[j] / SHIFT_SIGMAS,
        });
    }
}

/// Every anomaly of a series, strongest first (ties: earlier first).
fn events(x: &[f64]) -> Vec<Event> {
    let mut out = Vec::new();
    if x.len() < MIN_ROWS {
        return out;
    }
    spikes(x, &mut out);
    let (_, scale) = center_and_scale(x);
    for w in SHIFT_WINDOWS {
        shifts(x, w, 1.4826 * scale, &mut out);
    }
    out.sort_by(|a, b| b.strength.total_cmp(&a.strength).then(a.at.cmp(&b.at)));
    out
}

/// First positions of the maximum and the minimum.
fn extremes(x: &[f64]) -> [usize; 2] {
    let (mut hi, mut lo) = (0, 0);
    for (i, &v) in x.iter().enumerate() {
        if v > x[hi] {
            hi = i;
        }
        if v < x[lo] {
            lo = i;
        }
    }
    [hi, lo]
}

/// The rows of each event's window, in the order they are wanted: the event's row, then outwards.
fn window_order(events: &[Event], n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for e in events {
        crate::stop::poll(2 * WINDOW + 1);
        out.push(e.at);
        for d in 1..=WINDOW {
            if e.at >= d {
                out.push(e.at - d);
            }
            if e.at + d < n {
                out.push(e.at + d);
            }
        }
    }
    out
}

/// Rows spread evenly in an order whose every prefix is spread evenly: the middle, then the
/// quarters, the eighths, …
fn coverage_order(n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut level = 1u32;
    while level < 63 && (1usize << (level - 1)) <= n {
        let parts = 1usize << level;
        crate::stop::poll(parts / 2);
        for k in (1..parts).step_by(2) {
            out.push(((k as u128 * n as u128) >> level) as usize);
        }
        level += 1;
    }
    out
}

/// Positions (into `values`) a time series must keep: the maximum, the minimum and a window
/// around each of its strongest anomalies (the JSON selection's hook for time/value records).
pub fn anomaly_rows(values: &[f64]) -> Vec<usize> {
    if values.len() < MIN_ROWS {
        return Vec::new();
    }
    let events = events(values);
    let take = events.len().min(JSON_EVENTS);
    let mut out = window_order(&events[..take], values.len());
    out.extend(extremes(values));
    out.sort_unstable();
    out.dedup();
    out
}

/// A selection in progress: kept rows and their estimated cost, markers included.
struct Pick<'c> {
    keep: Vec<bool>,
    cost: usize,
    costs: &'c [usize],
    marker: usize,
}

impl Pick<'_> {
    /// Keeps row `i` when the cost stays within `limit`.
    fn add(&mut self, i: usize, limit: usize) -> bool {
        if self.keep[i] {
            return true;
        }
        let n = self.keep.len();
        let left = i == 0 || self.keep[i - 1];
        let right = i + 1 == n || self.keep[i + 1];
        // Keeping a row inside an omitted run splits its marker in two; at the run's end it only
        // shortens the run; the run's last row removes its marker.
        let cost = match (left, right) {
            (true, true) => (self.cost + self.costs[i]).saturating_sub(self.marker),
            (false, false) => self.cost + self.costs[i] + self.marker,
            _ => self.cost + self.costs[i],
        };
        if cost > limit {
            return false;
        }
        self.keep[i] = true;
        self.cost = cost;
        true
    }

    /// Adds rows of `order` from `*next` on until one does not fit.
    fn fill(&mut self, order: &[usize], next: &mut usize, limit: usize) {
        while let Some(&i) = order.get(*next) {
            crate::stop::poll(1);
            if !self.add(i, limit) {
                return;
            }
            *next += 1;
        }
    }
}

/// What a series' selection needs, computed once for every budget tried.
struct Plan<'s, 'a> {
    series: &'s Series<'a>,
    costs: Vec<usize>,
    header_cost: usize,
    marker_cost: usize,
    musts: [usize; 4],
    anomalies: Vec<usize>,
    coverage: Vec<usize>,
}

impl Plan<'_, '_> {
    /// The rows kept within `budget` estimate units.
    fn select(&self, budget: usize) -> Vec<bool> {
        let n = self.costs.len();
        let mut pick = Pick {
            keep: vec![false; n],
            cost: self.header_cost + self.marker_cost,
            costs: &self.costs,
            marker: self.marker_cost,
        };
        for &i in &self.musts {
            pick.add(i, usize::MAX);
        }
        let (mut a, mut c) = (0, 0);
        pick.fill(&self.anomalies, &mut a, budget * ANOMALY_SHARE / 100);
        pick.fill(&self.coverage, &mut c, budget * COVERAGE_SHARE / 100);
        pick.fill(&self.anomalies, &mut a, budget);
        pick.fill(&self.coverage, &mut c, budget);
        let mut keep = pick.keep;
        let mut i = 0;
        while i < n {
            let start = i;
            while i < n && !keep[i] {
                i += 1;
            }
            crate::stop::poll(i - start + 1);
            if i > start && i - start <= SHORT_RUN {
                keep[start..i].iter_mut().for_each(|k| *k = true);
            }
            i += 1;
        }
        keep
    }

    /// The kept rows and a marker in place of each omitted run.
    fn render(&self, keep: &[bool]) -> (String, Vec<Omission>) {
        let rows = &self.series.rows;
        let mut out: Vec<String> = Vec::new();
        if let Some(h) = self.series.header {
            out.push(h.to_string());
        }
        let (mut omitted, mut markers) = (0, 0);
        let mut i = 0;
        while i < rows.len() {
            crate::stop::poll(rows[i].line.len() + 1);
            if keep[i] {
                out.push(rows[i].line.to_string());
                i += 1;
                continue;
            }
            let start = i;
            let (mut lo, mut hi) = (i, i);
            while i < rows.len() && !keep[i] {
                crate::stop::poll(1);
                if rows[i].x < rows[lo].x {
                    lo = i;
                }
                if rows[i].x > rows[hi].x {
                    hi = i;
                }
                i += 1;
            }
            let mut m = marker::metric_rows_omitted(
                i - start,
                self.series.name,
                rows[lo].value,
                rows[hi].value,
                rows[start].time,
                rows[i - 1].time,
            );
            // Rows keep their own `\r\n`: the marker ends as the last row it stands for.
            if rows[i - 1].line.ends_with('\r') {
                m.push('\r');
            }
            out.push(m);
            omitted += i - start;
            markers += 1;
        }
        let mut text = out.join("\n");
        if self.series.trailing_newline {
            text.push('\n');
        }
        let omissions = if omitted == 0 {
            Vec::new()
        } else {
            vec![Omission {
                unit: "rows",
                count: omitted,
                summary: marker::metric_omission_summary(markers),
            }]
        };
        (text, omissions)
    }
}

/// Compresses a metric series: untouched within the budget (or without one), else the selection
/// steered to land just under `max_block_tokens`.
pub fn compress(series: &Series, content: &str, options: &BlockOptions) -> Option<Compressed> {
    let max = options.max_block_tokens?;
    let rows = &series.rows;
    let n = rows.len();
    let costs: Vec<usize> = rows.iter().map(|r| estimate_tokens(r.line) + 1).collect();
    let header_cost = series.header.map_or(0, |h| estimate_tokens(h) + 1);
    let total = header_cost + costs.iter().sum::<usize>();
    let start = lossless_above(content, total, max, options.encoding)?;
    let x: Vec<f64> = rows.iter().map(|r| r.x).collect();
    let [hi, lo] = extremes(&x);
    let whole = marker::metric_rows_omitted(
        n,
        series.name,
        rows[lo].value,
        rows[hi].value,
        rows[0].time,
        rows[n - 1].time,
    );
    let plan = Plan {
        series,
        costs,
        header_cost,
        marker_cost: estimate_tokens(&whole) + 1,
        musts: [0, n - 1, hi, lo],
        anomalies: window_order(&events(&x), n),
        coverage: coverage_order(n),
    };
    let (text, omitted, tokens) = fit(max, start, total, |budget| {
        let (text, omitted) = plan.render(&plan.select(budget));
        let tokens = count_tokens(&text, options.encoding);
        ((text, omitted, tokens), tokens)
    });
    Some(Compressed {
        content: text,
        strategy: String::from("metrics:select"),
        omitted,
        tokens: Some(tokens),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::test_options;

    /// A series with noise from a fixed LCG, a spike, a dip and a level shift.
    fn series() -> (String, Vec<usize>) {
        let mut seed = 7u64;
        let mut rows = vec![String::from("timestamp,cpu")];
        for i in 0..3000usize {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let noise = (seed >> 33) % 300;
            let base = if i >= 2100 { 6000 } else { 4000 };
            let v = match i {
                700 => 9900,
                1500 => 1100,
                _ => base + noise,
            };
            rows.push(format!(
                "2024-03-{:02} {:02}:{:02}:00,{}.{:02}",
                1 + i / 1440,
                i / 60 % 24,
                i % 60,
                v / 100,
                v % 100
            ));
        }
        (rows.join("\n") + "\n", vec![700, 1500, 2100])
    }

    #[test]
    fn reads_series_and_rejects_other_text() {
        let (text, _) = series();
        let s = parse(&text).expect("a series");
        assert_eq!(s.rows.len(), 3000);
        assert_eq!(s.name, "cpu");
        let lines: Vec<&str> = text.lines().take(40).collect();
        assert!(is_series(&lines));
        assert!(parse("a,b\nc,d\n").is_none());
        assert!(!is_series(&["name,age", "bob,12", "amy,14"]));
        assert_eq!(number("1e3"), Some(1000.0));
        assert_eq!(number("-.5"), Some(-0.5));
        assert!(number("1e").is_none() && number("nan").is_none() && number("").is_none());
    }

    #[test]
    fn keeps_extremes_and_anomalies_and_marks_ranges() {
        let (text, anomalies) = series();
        let s = parse(&text).expect("a series");
        let c = compress(&s, &text, &test_options(Some(2000))).expect("compressed");
        assert!(c.tokens.expect("counted") <= 2000);
        let kept: Vec<&str> = c.content.lines().collect();
        assert_eq!(kept[0], "timestamp,cpu");
        for a in anomalies {
            let line = text.lines().nth(a + 1).expect("row");
            assert!(kept.contains(&line), "{line}");
        }
        assert!(kept.iter().any(|l| l.ends_with(",99.00")));
        assert!(kept.iter().any(|l| l.ends_with(",11.00")));
        let m = kept
            .iter()
            .find(|l| marker::is_marker(l))
            .expect("a marker");
        assert!(m.contains(" rows omitted: cpu "), "{m}");
        assert_eq!(c.strategy, "metrics:select");
        assert!(compress(&s, &text, &test_options(None)).is_none());
    }

    /// Each loop after the spikes' (level shifts, window and coverage ordering, selection,
    /// rendering) looks at the block's stop: a stop already reached is seen inside each one.
    #[test]
    fn a_stop_is_seen_inside_every_loop_of_the_selection() {
        use crate::stop::{self, Stop, Stopped};
        use std::sync::atomic::AtomicBool;
        use std::sync::Arc;
        let (text, _) = series();
        let text = text.repeat(8).replace("\ntimestamp,cpu\n", "\n");
        let s = parse(&text).expect("a series");
        let n = s.rows.len();
        let x: Vec<f64> = s.rows.iter().map(|r| r.x).collect();
        let events: Vec<Event> = (0..n).map(|at| Event { at, strength: 1.0 }).collect();
        let plan = Plan {
            series: &s,
            costs: vec![1; n],
            header_cost: 1,
            marker_cost: 1,
            musts: [0, n - 1, 0, 0],
            anomalies: (0..n).collect(),
            coverage: coverage_order(n),
        };
        let half: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
        let stopped = Stop {
            deadline: None,
            cancel: Some(Arc::new(AtomicBool::new(true))),
        };
        let stops = |name: &str, work: &dyn Fn()| {
            assert_eq!(stop::within(&stopped, work), Err(Stopped), "{name}");
        };
        stops("level shifts", &|| shifts(&x, 6, 0.01, &mut Vec::new()));
        stops("window order", &|| drop(window_order(&events, n)));
        stops("coverage order", &|| drop(coverage_order(n)));
        stops("selection", &|| drop(plan.select(n)));
        stops("render", &|| drop(plan.render(&half)));
    }
}
