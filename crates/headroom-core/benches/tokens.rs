//! Token counting throughput on generated text of three sizes, both encodings.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use headroom_core::{count_tokens, Encoding};
use std::hint::black_box;

/// Log-like and prose-like text with numbers, paths and some non-ASCII, deterministic.
fn sample(bytes: usize) -> String {
    let lines = [
        "2024-05-01T12:00:03.114Z INFO  [http] GET /api/v1/users/4821 200 12ms\n",
        "The quick brown fox jumps over the lazy dog; naïve café, 東京, 😀.\n",
        "    at com.example.service.Handler.process(Handler.java:214)\n",
        "{\"id\": 913, \"status\": \"ok\", \"latency_ms\": 48.5, \"tags\": [\"a\", \"b\"]}\n",
    ];
    let mut out = String::with_capacity(bytes + 100);
    let mut k = 0usize;
    while out.len() < bytes {
        out.push_str(lines[k % lines.len()]);
        out.push_str(&k.to_string());
        k += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("count_tokens");
    for size in [100usize, 10_000, 1_000_000] {
        let text = sample(size);
        group.throughput(Throughput::Bytes(text.len() as u64));
        for enc in Encoding::ALL {
            group.bench_with_input(BenchmarkId::new(enc.name(), size), &text, |b, t| {
                b.iter(|| count_tokens(black_box(t), enc))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
