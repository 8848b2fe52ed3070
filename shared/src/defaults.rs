//! The questions' defaults (2016 asked about AIG, and about 2012), and what they become on a
//! dataset that lacks them: a `--size small` dataset has half of 2016 and no AIG, and a
//! program left at its defaults should run on it, saying what it picked, rather than stop.
//! A value typed on the command line is never changed: the program checks it and says
//! what the dataset has instead.

use std::collections::BTreeSet;

use chrono::Datelike as _;

use crate::dataset::Dataset;

/// The symbol of the one-symbol questions when none is given.
pub const SYMBOL: &str = "AIG";
/// The first year of the year questions when none is given.
pub const YEAR: i32 = 2012;

/// Which of a program's options were typed on its command line, rather than left at
/// their defaults. Empty (nothing typed) for arguments built in code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given(BTreeSet<String>);

impl Given {
    /// The options of `matches`, and of its subcommand's, whose value came from the
    /// command line.
    pub fn of(matches: &clap::ArgMatches) -> Given {
        let mut given = BTreeSet::new();
        let mut next = Some(matches);
        while let Some(matches) = next {
            let typed = |id: &&clap::Id| {
                matches.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine)
            };
            given.extend(matches.ids().filter(typed).map(|id| id.to_string()));
            next = matches.subcommand().map(|(_, sub)| sub);
        }
        Given(given)
    }

    /// Whether the option `id` (its field's name) was typed.
    pub fn has(&self, id: &str) -> bool {
        self.0.contains(id)
    }
}

/// Parses the command line into `A`, and says which options were typed.
pub fn parse<A: clap::Parser>() -> (A, Given) {
    let matches = A::command().get_matches();
    let args = A::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    (args, Given::of(&matches))
}

impl Dataset {
    /// `symbol`, unless it was only the default and this dataset lacks it: then the
    /// dataset's first symbol, with a note on stderr.
    pub fn fit_symbol(&self, symbol: &mut String, given: bool) {
        let symbols = self.symbols();
        if given || symbols.contains(symbol) {
            return;
        }
        let Some(first) = symbols.first() else {
            return;
        };
        eprintln!(
            "note: the dataset in {} has no {symbol} (the default): using {first}. Choose \
             with --symbol (it has {}).",
            self.root().display(),
            symbols.join(", ")
        );
        *symbol = first.clone();
    }

    /// The years this dataset's minute bars cover, first and last.
    pub fn year_span(&self) -> (i32, i32) {
        let spec = &self.manifest().spec;
        (spec.start.year(), spec.end.year())
    }

    /// `year`, unless it was only the default and this dataset does not cover it: then the
    /// dataset's first year, with a note on stderr. With `years` (how many from there),
    /// a default count is cut to the years the dataset covers from `year` on.
    pub fn fit_years(&self, year: &mut i32, given: bool, years: Option<(&mut i32, bool)>) {
        let (first, last) = self.year_span();
        if !given && !(first..=last).contains(year) {
            eprintln!(
                "note: the dataset in {} covers {first}–{last}, not {year} (the default): \
                 using {first}. Choose with --year.",
                self.root().display()
            );
            *year = first;
        }
        if let Some((years, given)) = years
            && !given
        {
            let covered = (last - *year + 1).max(1);
            *years = (*years).min(covered);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, Command};

    fn command() -> Command {
        let year = || Arg::new("year").long("year").default_value("2012");
        Command::new("p")
            .arg(Arg::new("symbol").long("symbol").default_value(SYMBOL))
            .subcommand(
                Command::new("yearly")
                    .arg(year())
                    .arg(Arg::new("years").long("years")),
            )
    }

    #[test]
    fn only_what_was_typed_counts_as_given_in_subcommands_too() {
        let matches = command().get_matches_from(["p", "yearly", "--years", "2"]);
        let given = Given::of(&matches);
        assert!(given.has("years"), "{given:?}");
        assert!(!given.has("year"), "a default is not given: {given:?}");
        assert!(!given.has("symbol"), "{given:?}");
        let matches =
            command().get_matches_from(["p", "--symbol", "AIG", "yearly", "--year", "2012"]);
        let given = Given::of(&matches);
        assert!(
            given.has("symbol") && given.has("year"),
            "typed as the default: {given:?}"
        );
    }

    #[test]
    fn defaults_adapt_to_a_dataset_and_typed_values_never_do() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let spec = crate::dataset::Spec {
            seed: 1,
            symbols: vec!["AAPL".into(), "JPM".into()],
            start: chrono::NaiveDate::from_ymd_opt(2016, 1, 4).expect("a date"),
            end: chrono::NaiveDate::from_ymd_opt(2017, 1, 6).expect("a date"),
            json_days: 1,
        };
        let manifest = crate::dataset::Manifest {
            layout_version: crate::dataset::LAYOUT_VERSION,
            spec,
            files: Vec::new(),
            total_bytes: 0,
            total_rows: 0,
            generator_args: None,
        };
        let text = serde_json::to_string(&manifest).expect("a manifest");
        std::fs::write(dir.path().join(crate::dataset::MANIFEST), text).expect("writable");
        let dataset = Dataset::open(dir.path()).expect("the manifest opens");
        let mut symbol = SYMBOL.to_string();
        dataset.fit_symbol(&mut symbol, false);
        assert_eq!(symbol, "AAPL");
        let mut typed = SYMBOL.to_string();
        dataset.fit_symbol(&mut typed, true);
        assert_eq!(
            typed, SYMBOL,
            "a typed symbol is kept, for the program to refuse"
        );
        let (mut year, mut years) = (YEAR, 3);
        dataset.fit_years(&mut year, false, Some((&mut years, false)));
        assert_eq!(
            (year, years),
            (2016, 2),
            "the dataset's first year, and only its years"
        );
        let (mut year, mut years) = (YEAR, 3);
        dataset.fit_years(&mut year, true, Some((&mut years, true)));
        assert_eq!((year, years), (YEAR, 3));
    }
}
