//! The log path of the core on generated CI-style logs of three sizes: detection, the lossless
//! fold alone (`log::compress` without a limit: no token counting), and the whole block entry
//! with default options (lossy selection, exact token counts before and after).
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use headroom_core::{compress_block, detect, log, BlockOptions};
use std::hint::black_box;

/// A deterministic build log: timestamped progress, downloads, test results, a few warnings,
/// errors and a repeated stack trace, in the proportions real CI output has.
fn sample(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 200);
    let mut k: u64 = 0;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let words = ["alpha", "beta", "gamma", "delta", "kappa", "omega"];
    while out.len() < bytes {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let r = (seed >> 33) as usize;
        let ts = format!(
            "2024-05-01T{:02}:{:02}:{:02}.{:07}Z ",
            (k / 3600) % 24,
            (k / 60) % 60,
            k % 60,
            r % 10_000_000
        );
        out.push_str(&ts);
        match r % 100 {
            0..=39 => out.push_str(&format!(
                "[INFO] Downloading from central: https://repo.maven.apache.org/maven2/org/{}/{}/{}.{}/x.jar\n",
                words[r % 6],
                words[(r / 7) % 6],
                r % 9,
                r % 13
            )),
            40..=69 => out.push_str(&format!(
                "ok  \tgithub.com/example/project/internal/{}/{}\t0.{:03}s\n",
                words[r % 6],
                words[(r / 11) % 6],
                r % 1000
            )),
            70..=84 => out.push_str(&format!(
                "[INFO] Running com.example.{}.{}Test\n",
                words[r % 6],
                words[(r / 5) % 6]
            )),
            85..=89 => out.push_str(&format!(
                "Tests run: {}, Failures: 0, Errors: 0, Skipped: {}, Time elapsed: 0.{} s\n",
                r % 50,
                r % 3,
                r % 999
            )),
            90..=93 => out.push_str("[WARNING] Using platform encoding (UTF-8 actually) to copy filtered resources\n"),
            94..=95 => out.push_str(&format!("[ERROR] Failed to execute goal on project {}: compilation failure\n", words[r % 6])),
            _ => {
                out.push_str("java.io.IOException: No space left on device\n");
                for f in 0..12 {
                    out.push_str(&format!("\tat com.example.io.Writer.write{f}(Writer.java:{})\n", 10 + f));
                }
            }
        }
        k += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("logs");
    let lossless = BlockOptions {
        max_block_tokens: None,
        ..BlockOptions::default()
    };
    let defaults = BlockOptions::default();
    for (name, size) in [
        ("small", 10_000usize),
        ("medium", 1_000_000),
        ("large", 16_000_000),
    ] {
        let text = sample(size);
        group.throughput(Throughput::Bytes(text.len() as u64));
        if size > 1_000_000 {
            group.sample_size(10);
        }
        group.bench_with_input(BenchmarkId::new("detect", name), &text, |b, t| {
            b.iter(|| detect(black_box(t)))
        });
        group.bench_with_input(
            BenchmarkId::new("fold (log::compress, lossless)", name),
            &text,
            |b, t| b.iter(|| log::compress(black_box(t), &lossless)),
        );
        group.bench_with_input(
            BenchmarkId::new("compress_block (default)", name),
            &text,
            |b, t| b.iter(|| compress_block(black_box(t), &defaults)),
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
