//! The JSON path of headroom-core without token counting: detection, the lossless encodings
//! (parse + compact JSON + TOON), and lossy selection (analysis, cap search, plan, both writers)
//! on generated arrays of log-like records of three sizes, and lossy selection on a 1 MB
//! Prometheus-style matrix (tuple rows of `[ts, "value"]`). Run: `cargo bench --bench json`.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use headroom_core::json::{self, compact, select, tape, toon, view::View};
use std::hint::black_box;

/// A deterministic array of records of about `bytes` bytes.
fn records(bytes: usize) -> String {
    let mut out = String::from("[");
    let mut i = 0usize;
    while out.len() < bytes {
        if i > 0 {
            out.push(',');
        }
        let status = if i % 97 == 0 {
            503
        } else if i % 41 == 0 {
            404
        } else {
            200
        };
        let latency = 20 + (i * 37) % 180 + if i % 1009 == 0 { 5000 } else { 0 };
        let tags = if i % 5 == 0 {
            r#"["cache","retry"]"#
        } else {
            r#"["cache"]"#
        };
        out.push_str(&format!(
            r#"{{"id":{},"ts":"2024-05-{:02}T{:02}:{:02}:00Z","service":"svc-{}","method":"{}","path":"/api/v1/items/{}","status":{status},"latency_ms":{latency},"user":{{"id":{},"region":"{}"}},"tags":{tags}}}"#,
            100000 + i,
            1 + (i >> 12) % 28,
            (i >> 6) % 24,
            i % 60,
            i % 7,
            ["GET", "POST", "PUT"][i % 3],
            (i * 7919) % 100000,
            (i * 31) % 5000,
            ["eu", "us", "ap"][i % 3],
        ));
        i += 1;
    }
    out.push(']');
    out
}

/// A deterministic Prometheus `query_range` matrix of about `bytes` bytes: series of 240
/// `[ts, "value"]` samples, values written as strings, a spike now and then.
fn series(bytes: usize) -> String {
    let mut out = String::from(r#"{"status":"success","data":{"resultType":"matrix","result":["#);
    let mut k = 0usize;
    while out.len() < bytes {
        if k > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"metric":{{"__name__":"http_requests_total","instance":"web-{k}:9090","job":"api"}},"values":["#
        ));
        for i in 0..240usize {
            if i > 0 {
                out.push(',');
            }
            let v = 100 + (i * 37 + k * 11) % 900 + if (i + k) % 331 == 0 { 5000 } else { 0 };
            out.push_str(&format!(r#"[{},"{v}.{}"]"#, 1764000000 + 15 * i, i % 10));
        }
        out.push_str("]}");
        k += 1;
    }
    out.push_str("]}}");
    out
}

fn lossy(d: &str) -> (String, Option<String>) {
    let t = tape::parse(black_box(d)).expect("valid JSON");
    let mut sel = select::Selection::new(&t, "");
    let k = sel.search(16_000, 0, usize::MAX);
    let (plan, _) = sel.plan(k);
    let view = View::new(&t, Some(&plan));
    (
        compact::write(&view),
        toon::eligible(&t).then(|| toon::write(&view)),
    )
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("json");
    group.sample_size(10);
    for (name, bytes) in [
        ("small", 10_000),
        ("medium", 1_000_000),
        ("large", 20_000_000),
    ] {
        let doc = records(bytes);
        group.throughput(Throughput::Bytes(doc.len() as u64));
        group.bench_with_input(BenchmarkId::new("detect", name), &doc, |b, d| {
            b.iter(|| json::is_json(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("lossless", name), &doc, |b, d| {
            b.iter(|| {
                let t = tape::parse(black_box(d)).expect("valid JSON");
                json::lossless(&t)
            })
        });
        group.bench_with_input(BenchmarkId::new("lossy", name), &doc, |b, d| {
            b.iter(|| lossy(d))
        });
    }
    let doc = series(1_000_000);
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.bench_with_input(BenchmarkId::new("lossy-series", "medium"), &doc, |b, d| {
        b.iter(|| lossy(d))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
