//! For property tests of a program's bounded flags: whatever number is given, the command
//! line either takes it, inside the flag's range, or refuses it naming the flag; it never
//! panics, and never takes a value outside the range.

use std::ops::RangeInclusive;

/// Parses `program flag=value` (plus `before`, the subcommand and arguments that come
/// first) with `A`, and checks that a `value` inside `range` is taken and any other is
/// refused with an error naming `flag`.
pub fn check_flag<A: clap::Parser>(
    before: &[&str],
    flag: &str,
    range: &RangeInclusive<i128>,
    value: i128,
) {
    let mut argv: Vec<String> = vec!["program".into()];
    argv.extend(before.iter().map(|a| a.to_string()));
    argv.push(format!("{flag}={value}"));
    match A::try_parse_from(&argv) {
        Ok(_) => assert!(
            range.contains(&value),
            "{argv:?}: {value} was taken, outside {range:?}"
        ),
        Err(error) => {
            let text = error.to_string();
            assert!(
                !range.contains(&value),
                "{argv:?}: {value} is inside {range:?}, but was refused: {text}"
            );
            assert!(
                text.contains(flag),
                "{argv:?}: the error names {flag}: {text}"
            );
        }
    }
}

/// The values of `range` a bug is most likely at: its two ends and their neighbours, and
/// zero and one (for a property test to try among random ones).
pub fn edges(range: &RangeInclusive<i128>) -> Vec<i128> {
    let (low, high) = (*range.start(), *range.end());
    vec![low - 1, low, low + 1, high - 1, high, high + 1, 0, 1, -1]
}

/// A flag of a program (the subcommand and arguments before it, its name, its range).
pub type Flag = (&'static [&'static str], &'static str, RangeInclusive<i128>);

/// One of `flags`, and a value to try with [`check_flag`]: an edge of its range, a value
/// near it, or any number up to 2⁷⁰ either way.
#[cfg(feature = "fuzz")]
pub fn flag_and_value(flags: Vec<Flag>) -> impl proptest::strategy::Strategy<Value = (Flag, i128)> {
    use proptest::prelude::*;
    (0..flags.len()).prop_flat_map(move |i| {
        let flag = flags[i].clone();
        let (low, high) = (*flag.2.start(), *flag.2.end());
        let value = prop_oneof![
            proptest::sample::select(edges(&flag.2)),
            low - 10..=high + 10,
            -(1i128 << 70)..(1i128 << 70),
        ];
        (Just(flag), value)
    })
}
