//! Writing bars as CSV rows and JSON lines, fast.
//!
//! This runs for every one of the dataset's ~15 million rows, so it formats integers with
//! `itoa` into a reused buffer instead of going through `format!` and f64 printing: prices
//! are integer mills, printed as `dollars.mmm`.

use chrono::NaiveDate;

use crate::model::{BAR_SECONDS, BARS_PER_DAY, FIRST_BAR, MinuteBar};

/// `HH:MM:SS` of every bar's start, computed once.
fn bar_times() -> &'static [[u8; 8]; BARS_PER_DAY] {
    static TIMES: std::sync::OnceLock<[[u8; 8]; BARS_PER_DAY]> = std::sync::OnceLock::new();
    TIMES.get_or_init(|| {
        std::array::from_fn(|i| {
            let s = FIRST_BAR + BAR_SECONDS * i as u32;
            let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
            let d = |v: u32| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
            let [h, m, sec] = [d(h), d(m), d(sec)];
            [h[0], h[1], b':', m[0], m[1], b':', sec[0], sec[1]]
        })
    })
}

fn push_price(out: &mut Vec<u8>, mills: i64) {
    // Digits from the right into a stack buffer: three decimals, the point, then the dollars.
    let mut value = mills.unsigned_abs();
    let mut buf = [0u8; 24];
    let mut i = buf.len();
    for _ in 0..3 {
        i -= 1;
        buf[i] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    i -= 1;
    buf[i] = b'.';
    loop {
        i -= 1;
        buf[i] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    if mills < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    out.extend_from_slice(&buf[i..]);
}

fn push_u64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// `YYYY-MM-DDT` for `date`.
fn date_prefix(date: NaiveDate) -> [u8; 11] {
    let mut prefix = [b'T'; 11];
    prefix[..10].copy_from_slice(date.format("%Y-%m-%d").to_string().as_bytes());
    prefix
}

/// Appends a whole minute CSV file (header and one row per bar) for `date` to `out`.
pub fn csv_file(date: NaiveDate, bars: &[MinuteBar], out: &mut Vec<u8>) {
    out.extend_from_slice(shared::read::CSV_HEADER.as_bytes());
    out.push(b'\n');
    let prefix = date_prefix(date);
    for (bar, time) in bars.iter().zip(bar_times()) {
        out.extend_from_slice(&prefix);
        out.extend_from_slice(time);
        for price in [bar.open, bar.high, bar.low, bar.close] {
            out.push(b',');
            push_price(out, price);
        }
        out.push(b',');
        push_u64(out, bar.volume);
        out.push(b'\n');
    }
}

/// Appends one JSON object per bar, one per line, for `date` to `out`.
pub fn json_lines(date: NaiveDate, bars: &[MinuteBar], out: &mut Vec<u8>) {
    let prefix = date_prefix(date);
    for (bar, time) in bars.iter().zip(bar_times()) {
        out.extend_from_slice(b"{\"timestamp\":\"");
        out.extend_from_slice(&prefix);
        out.extend_from_slice(time);
        out.extend_from_slice(b"\",\"open\":");
        push_price(out, bar.open);
        out.extend_from_slice(b",\"high\":");
        push_price(out, bar.high);
        out.extend_from_slice(b",\"low\":");
        push_price(out, bar.low);
        out.extend_from_slice(b",\"close\":");
        push_price(out, bar.close);
        out.extend_from_slice(b",\"volume\":");
        push_u64(out, bar.volume);
        out.extend_from_slice(b"}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_back_through_the_shared_readers() {
        let date = NaiveDate::from_ymd_opt(2016, 1, 4).unwrap();
        let bars = [MinuteBar {
            open: 100_250,
            high: 101_005,
            low: 99_999,
            close: 100_000,
            volume: 42,
        }; BARS_PER_DAY];
        let mut price = Vec::new();
        for mills in [0, 5, 999, 1_000, 123_456, -1_500] {
            push_price(&mut price, mills);
            price.push(b' ');
        }
        assert_eq!(price, b"0.000 0.005 0.999 1.000 123.456 -1.500 ");
        let mut csv = Vec::new();
        csv_file(date, &bars, &mut csv);
        assert!(csv.starts_with(b"timestamp,open,high,low,close,volume\n2016-01-04T09:00:00,100.250,101.005,99.999,100.000,42\n"));
        let mut json = Vec::new();
        json_lines(date, &bars, &mut json);
        let path = std::path::Path::new("test");
        let from_csv = shared::read::parse_csv(path, &csv).unwrap();
        // The JSON Lines reader is private to `shared`; compare field by field.
        let from_json: Vec<serde_json::Value> = json
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| serde_json::from_slice(line).unwrap())
            .collect();
        assert_eq!(from_json.len(), from_csv.len());
        for (value, bar) in from_json.iter().zip(&from_csv) {
            assert_eq!(value["timestamp"], bar.timestamp.to_string());
            for (field, price) in [("open", bar.open), ("high", bar.high), ("low", bar.low)] {
                assert_eq!(value[field].as_f64(), Some(price), "{field}");
            }
            assert_eq!(value["close"].as_f64(), Some(bar.close));
            assert_eq!(value["volume"].as_u64(), Some(bar.volume));
        }
        assert_eq!(from_csv.len(), BARS_PER_DAY);
        assert_eq!(
            from_csv[BARS_PER_DAY - 1].timestamp.to_string(),
            "2016-01-04T16:58:00"
        );
        assert_eq!(from_csv[0].high, 101.005);
    }
}
