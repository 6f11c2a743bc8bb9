//! Zip size and time per Deflate level (and zopfli), for the files given on the command line:
//! the table in docs/profile.md that the archive's level was chosen from.
//!
//!     cargo bench --bench zip_levels -- FILE...
//!
//! Each file is zipped alone, as `bootstrap`, with the archive's own reproducible writer; the
//! time is the median of three runs on this (shared, noisy) machine, so compare the ratios.
use cargo_powertools::archive::{self, Entry};
use std::time::Instant;

fn main() {
    let files: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if files.is_empty() {
        eprintln!("usage: cargo bench --bench zip_levels -- FILE...");
        std::process::exit(2);
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let time = archive::entry_time(None).expect("the default time");
    // 1-9: zlib-rs Deflate levels; 10 and up: zopfli with (level - 9) iterations.
    let levels = [1, 3, 6, 9, 10, 12];
    println!(
        "{:<40} {:>10} {:>6} {:>12} {:>9}",
        "file", "bytes", "level", "zip bytes", "ms"
    );
    for file in &files {
        let len = std::fs::metadata(file).expect("a readable file").len();
        for level in levels {
            let mut times = Vec::new();
            let mut size = 0;
            for round in 0..3 {
                let entry = Entry {
                    name: "bootstrap".into(),
                    source: file.into(),
                    mode: 0o755,
                };
                let dest = dir.path().join(format!("{level}-{round}.zip"));
                let started = Instant::now();
                let summary = archive::write_zip_at_level(&dest, vec![entry], time, level)
                    .expect("zipping works");
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                size = summary.size;
            }
            times.sort_by(f64::total_cmp);
            let name = std::path::Path::new(file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            println!(
                "{:<40} {:>10} {:>6} {:>12} {:>9.0}",
                name, len, level, size, times[1]
            );
        }
    }
}
