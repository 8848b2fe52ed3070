//! The record every lesson reads: one price bar of one symbol, and its timestamp.
//!
//! Files store timestamps as text (`2016-01-04T09:00:00`, exchange time, no zone); in memory
//! a [`Timestamp`] is seconds since 1970-01-01T00:00:00. Parsing is hand-written for the one
//! fixed layout because it sits on every lesson's hot path: chrono's general
//! `parse_from_str` interprets a format string per call and is several times slower.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One bar: prices over an interval (2 minutes in the dataset) and the shares traded.
/// Bars are written by the `data` generator and read by the readers in [`crate::read`]; on
/// purpose, `Bar` does not implement `Deserialize` (writing that parser is exercise 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bar {
    /// Start of the interval.
    pub timestamp: Timestamp,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: u64,
}

impl Bar {
    /// Checks what every bar of the dataset satisfies: prices finite and positive, and
    /// `low ≤ open, close ≤ high`. Readers call it, so a damaged number such as `1e400`
    /// (read as infinity) or a swapped column is caught where it is read.
    pub fn validate(&self) -> Result<(), String> {
        let prices = [self.open, self.high, self.low, self.close];
        let plausible = prices.iter().all(|p| p.is_finite() && *p > 0.0)
            && self.low <= self.open.min(self.close)
            && self.open.max(self.close) <= self.high;
        match plausible {
            true => Ok(()),
            false => Err(format!(
                "implausible bar (open {}, high {}, low {}, close {}): prices must be finite and positive, with low ≤ open, close ≤ high",
                self.open, self.high, self.low, self.close
            )),
        }
    }
}

/// Seconds since 1970-01-01T00:00:00, read and written as `YYYY-MM-DDTHH:MM:SS`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// `Timestamp(2015-12-21T09:30:00)`: a test's failure shows a date, not seconds.
impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

/// The text was not a timestamp of the form `YYYY-MM-DDTHH:MM:SS`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {text:?}: expected YYYY-MM-DDTHH:MM:SS, e.g. 2016-01-04T09:30:00")]
pub struct TimestampError {
    /// The offending text, cut to 40 characters.
    pub text: String,
}

const SECONDS_PER_DAY: i64 = 86_400;

impl Timestamp {
    /// The timestamp at `hour:minute:second` on `date`.
    pub fn new(date: NaiveDate, hour: u32, minute: u32, second: u32) -> Self {
        let days = i64::from(date.num_days_from_ce() - EPOCH_DAYS_FROM_CE);
        Timestamp(days * SECONDS_PER_DAY + i64::from(hour * 3600 + minute * 60 + second))
    }

    /// The calendar day this timestamp falls on.
    ///
    /// # Panics
    /// Beyond chrono's range (about 262,000 years from now). The readers only make timestamps
    /// of years 0 to 9999; `Display` never panics.
    pub fn date(self) -> NaiveDate {
        let days = self.0.div_euclid(SECONDS_PER_DAY) as i32 + EPOCH_DAYS_FROM_CE;
        NaiveDate::from_num_days_from_ce_opt(days).expect("timestamp within chrono's range")
    }

    /// Seconds since midnight.
    pub fn seconds_of_day(self) -> u32 {
        self.0.rem_euclid(SECONDS_PER_DAY) as u32
    }

    /// Hour of the day, 0..=23.
    pub fn hour(self) -> u32 {
        self.seconds_of_day() / 3600
    }

    /// As a chrono value, for anything this type does not offer.
    pub fn to_naive(self) -> NaiveDateTime {
        let s = self.seconds_of_day();
        self.date()
            .and_hms_opt(s / 3600, s / 60 % 60, s % 60)
            .expect("valid time of day")
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS` (a space instead of the `T` is accepted too).
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        parse_fixed(text.as_bytes()).ok_or_else(|| TimestampError {
            text: text.chars().take(40).collect(),
        })
    }

    /// Appends the 19-byte text form to `out` without allocating.
    pub fn write_to(self, out: &mut Vec<u8>) {
        let date = self.date();
        let s = self.seconds_of_day();
        let mut b = [0u8; 19];
        put_digits(&mut b[0..4], date.year() as u32);
        b[4] = b'-';
        put_digits(&mut b[5..7], date.month());
        b[7] = b'-';
        put_digits(&mut b[8..10], date.day());
        b[10] = b'T';
        put_digits(&mut b[11..13], s / 3600);
        b[13] = b':';
        put_digits(&mut b[14..16], s / 60 % 60);
        b[16] = b':';
        put_digits(&mut b[17..19], s % 60);
        out.extend_from_slice(&b);
    }
}

/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

fn put_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

fn parse_fixed(b: &[u8]) -> Option<Timestamp> {
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (h, m, s) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    let month_length = match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        1..=12 => 31,
        _ => return None,
    };
    if day == 0 || day > month_length || h >= 24 || m >= 60 || s >= 60 {
        return None;
    }
    let days = days_from_civil(year as i64, month as i64, day as i64);
    Some(Timestamp(
        days * SECONDS_PER_DAY + i64::from(h * 3600 + m * 60 + s),
    ))
}

/// Days since 1970-01-01 of a valid proleptic Gregorian date: Howard Hinnant's
/// `days_from_civil`, a few multiplications. Parsing calls this for every bar read, where
/// chrono's checked constructor and conversion took about 4% of lesson 1's conversion time.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

impl fmt::Display for Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS` for years 0 to 9999 (every timestamp a file can hold);
    /// chrono's longer form beyond them, and the raw seconds outside chrono's range.
    /// Never panics: a damaged number must still print in an error message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(SECONDS_PER_DAY) + i64::from(EPOCH_DAYS_FROM_CE);
        let date = i32::try_from(days)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt);
        match date {
            Some(date) if (0..=9999).contains(&date.year()) => {
                let mut buf = Vec::with_capacity(19);
                self.write_to(&mut buf);
                f.write_str(&String::from_utf8_lossy(&buf))
            }
            Some(date) => {
                let s = self.seconds_of_day();
                write!(f, "{date}T{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
            }
            None => write!(f, "(timestamp {} s from 1970, out of range)", self.0),
        }
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Visiting borrowed or transient `&str` avoids allocating a String per bar.
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a timestamp string like \"2016-01-04T09:30:00\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for text in [
            "1970-01-01T00:00:00",
            "2016-01-04T09:30:00",
            "1999-12-31T23:59:59",
            "1969-07-20T20:17:40",
        ] {
            let ts: Timestamp = text.parse().unwrap();
            assert_eq!(ts.to_string(), text);
        }
        assert_eq!(
            Timestamp::parse("1970-01-02 00:00:01").unwrap(),
            Timestamp(86_401)
        );
    }

    #[test]
    fn agrees_with_chrono() {
        let ts = Timestamp::parse("2016-02-29T16:58:00").unwrap();
        let naive = NaiveDate::from_ymd_opt(2016, 2, 29)
            .unwrap()
            .and_hms_opt(16, 58, 0)
            .unwrap();
        assert_eq!(ts.0, naive.and_utc().timestamp());
        assert_eq!(ts.to_naive(), naive);
        assert_eq!(ts.hour(), 16);
    }

    #[test]
    fn fast_parse_agrees_with_chrono_on_every_day() {
        let mut date = NaiveDate::from_ymd_opt(1899, 1, 1).unwrap();
        while date.year() < 2101 {
            let text = format!("{date}T12:34:56");
            assert_eq!(
                Timestamp::parse(&text).unwrap(),
                Timestamp::new(date, 12, 34, 56),
                "{text}"
            );
            date = date.succ_opt().unwrap();
        }
        assert!(Timestamp::parse("2015-02-29T00:00:00").is_err());
        assert!(Timestamp::parse("2000-02-29T00:00:00").is_ok());
        assert!(Timestamp::parse("1900-02-29T00:00:00").is_err());
    }

    #[test]
    fn display_never_panics() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00");
        assert_eq!(
            format!("{:?}", Timestamp(0)),
            "Timestamp(1970-01-01T00:00:00)"
        );
        assert_eq!(
            Timestamp(i64::MAX).to_string(),
            format!("(timestamp {} s from 1970, out of range)", i64::MAX)
        );
        assert!(Timestamp(i64::MIN).to_string().contains("out of range"));
        let year_10000 = Timestamp::new(NaiveDate::from_ymd_opt(10000, 1, 5).unwrap(), 9, 0, 0);
        assert_eq!(year_10000.to_string(), "+10000-01-05T09:00:00");
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "",
            "2016-01-04",
            "2016-13-01T00:00:00",
            "2016-02-30T00:00:00",
            "2016-01-04T24:00:00",
            "2016-01-04X09:30:00",
            "2016-01-04T09:30:0a",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }
}
