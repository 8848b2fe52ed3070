//! Going further: the typed parser with sonic-rs, a JSON library that scans with SIMD
//! instructions, in place of serde_json. Same serde derive, same contract as exercise 1.3;
//! only the library changes. Built with `--features simd`.

use std::path::Path;

use shared::read::json_lines;
use shared::{Bar, Columns};

use crate::convert::{ConvertError, empty_error, line_error};

// ANCHOR: parse_sonic
/// Parses JSON Lines bytes into columns with sonic-rs, straight into `shared::Bar`.
pub fn parse_sonic(path: &Path, bytes: &[u8]) -> Result<Columns, ConvertError> {
    let mut columns = Columns::with_capacity(bytes.len() / 100);
    for (index, line) in json_lines(bytes) {
        let bar: Bar =
            sonic_rs::from_slice(line).map_err(|e| line_error(path, index, e.to_string()))?;
        bar.validate()
            .map_err(|message| line_error(path, index, message))?;
        columns.push(&bar);
    }
    if columns.is_empty() {
        return Err(empty_error(path));
    }
    Ok(columns)
}
// ANCHOR_END: parse_sonic

#[cfg(all(test, feature = "solution"))]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_typed_parser() {
        let dir = tempfile::tempdir().unwrap();
        let dataset = data::make(dir.path(), data::Size::Tiny).unwrap();
        for input in dataset.json_files() {
            let bytes = std::fs::read(&input).unwrap();
            assert_eq!(
                parse_sonic(&input, &bytes).unwrap(),
                crate::solution::parse_typed(&input, &bytes).unwrap()
            );
        }
        let err = parse_sonic(Path::new("A.json"), b"{\"timestamp\":1}\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("A.json, line 1"), "{err}");
    }
}
