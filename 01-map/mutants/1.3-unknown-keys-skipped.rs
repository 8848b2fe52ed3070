//! A typed record without `deny_unknown_fields`: a line with an extra key is read, not refused.
//! Caught by: ex1_3_refuses_exactly_the_lines_parse_value_refuses
pub fn parse_typed(path: &Path, bytes: &[u8]) -> Result<Columns, ConvertError> {
    let mut columns = Columns::with_capacity(bytes.len() / 100);
    for (index, line) in shared::read::json_lines(bytes) {
        if !shared::read::is_object(line) {
            return Err(crate::convert::line_error(path, index, shared::read::NOT_AN_OBJECT));
        }
        let record: MutantRecord = serde_json::from_slice(line)
            .map_err(|e| crate::convert::json_error(path, index, &e, line))?;
        let bar = shared::Bar {
            timestamp: record.timestamp,
            open: record.open,
            high: record.high,
            low: record.low,
            close: record.close,
            volume: record.volume,
        };
        bar.validate()
            .map_err(|m| crate::convert::line_error(path, index, m))?;
        columns.push(&bar);
    }
    if columns.is_empty() {
        return Err(crate::convert::empty_error(path));
    }
    Ok(columns)
}

#[derive(serde::Deserialize)]
struct MutantRecord {
    timestamp: shared::Timestamp,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
    volume: u64,
}
