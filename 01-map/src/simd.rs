//! Going further: the typed parser with sonic-rs, a JSON library that scans with SIMD
//! instructions, in place of serde_json. The same `#[derive(Deserialize)]` record as the
//! reference answer to exercise 1.3, the same contract; only the library changes. Built with
//! `--features simd`.

use std::path::Path;

use shared::Columns;
use shared::read::{NOT_AN_OBJECT, is_object, json_lines};

use crate::convert::{ConvertError, empty_error, line_error};
use crate::solution::Record;

// ANCHOR: parse_sonic
/// Parses JSON Lines bytes into columns with sonic-rs.
pub fn parse_sonic(path: &Path, bytes: &[u8]) -> Result<Columns, ConvertError> {
    let mut columns = Columns::with_capacity(bytes.len() / 100);
    for (index, line) in json_lines(bytes) {
        if !is_object(line) {
            return Err(line_error(path, index, NOT_AN_OBJECT));
        }
        let record: Record =
            sonic_rs::from_slice(line).map_err(|e| line_error(path, index, e.to_string()))?;
        let bar = record
            .to_bar()
            .map_err(|message| line_error(path, index, message))?;
        columns.push(&bar);
    }
    if columns.is_empty() {
        return Err(empty_error(path));
    }
    Ok(columns)
}
// ANCHOR_END: parse_sonic
