//! Compiles the BPE rank files in `data/` into compact tables: for rank 0, 1, 2, … one length byte
//! followed by the token's bytes. The files are checked against tiktoken's published hashes.

use std::env;
use std::fs;
use std::io::Read;
use std::path::PathBuf;

use base64::Engine as _;
use sha2::{Digest, Sha256};

const FILES: [(&str, &str); 2] = [
    (
        "o200k_base",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    (
        "cl100k_base",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
];

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    for (name, sha) in FILES {
        let path = format!("data/{name}.tiktoken.gz");
        println!("cargo::rerun-if-changed={path}");
        let gz = fs::read(&path).expect("rank file");
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut text)
            .expect("gzip rank file");
        let digest = Sha256::digest(text.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, sha, "{name}: rank file hash mismatch");
        let mut table = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let (token, rank) = line.split_once(' ').expect("`<base64> <rank>` line");
            assert_eq!(
                rank.parse::<usize>().ok(),
                Some(i),
                "{name}: ranks must be 0, 1, 2, …"
            );
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(token)
                .expect("base64 token");
            table.push(u8::try_from(bytes.len()).expect("token shorter than 256 bytes"));
            table.extend_from_slice(&bytes);
        }
        fs::write(out.join(format!("{name}.ranks")), table).expect("write table");
    }
    println!("cargo::rerun-if-changed=build.rs");
}
