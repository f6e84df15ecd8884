//! `cargo xtask size`: a release build, then what a browser downloads to start the app, brotli-compressed.

use std::path::Path;

use crate::{test::release_build, workspace_root};

/// The most the staff app may download, brotli-compressed.
const BUDGET: usize = 400_000;

pub fn run() -> Result<(), String> {
    release_build()?;
    let dist = workspace_root().join("dist");
    let mut total = 0;
    for (name, bytes) in compressed_sizes(&dist, &["wasm", "js"])? {
        println!("{name}: {bytes} brotli bytes");
        total += bytes;
    }
    println!("budget: {BUDGET} brotli bytes");
    println!("total brotli bytes: {total}");
    if total > BUDGET { Err(format!("the app is {} brotli bytes over its budget", total - BUDGET)) } else { Ok(()) }
}

/// `(file name, brotli size)` for every file in `folder` with one of `extensions`, sorted by name.
fn compressed_sizes(folder: &Path, extensions: &[&str]) -> Result<Vec<(String, usize)>, String> {
    let entries = std::fs::read_dir(folder).map_err(|error| format!("cannot read {}: {error}", folder.display()))?;
    let mut sizes = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let wanted = path.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e));
        if !wanted {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        sizes.push((entry.file_name().to_string_lossy().into_owned(), brotli_size(&bytes)));
    }
    if sizes.is_empty() {
        return Err(format!("no .wasm or .js file in {}", folder.display()));
    }
    sizes.sort();
    Ok(sizes)
}

/// The size at brotli's best quality and largest window, as a static host would precompress it.
fn brotli_size(bytes: &[u8]) -> usize {
    let mut compressed = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut compressed, &params).expect("compressing into memory cannot fail");
    compressed.len()
}

#[cfg(test)]
mod tests {
    use super::brotli_size;

    #[test]
    fn repetitive_input_compresses_far_below_its_size() {
        let input = "Connecting you to a live agent… ".repeat(1_000);
        let size = brotli_size(input.as_bytes());
        assert!(size > 0 && size < input.len() / 50, "{size} bytes for {} input bytes", input.len());
    }
}
