//! `parse_value` called as it is: the same answers, with a `Value` tree and `String` keys per line.
//! Caught by: ex1_3_allocates_at_most_one_block_per_line
pub fn parse_typed(path: &Path, bytes: &[u8]) -> Result<Columns, ConvertError> {
    crate::convert::parse_value(path, bytes)
}
