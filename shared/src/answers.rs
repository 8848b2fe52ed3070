//! Which answers a lesson runs, as a value: the state behind each lesson's `Answers`.
//!
//! Every lesson has one `Answers` type in its `answers.rs`: a [`Picks`] and one method per
//! exercise that calls `exercise::` or `solution::` as the picks say. This module holds what
//! is the same in all six: whose program is running (`exercise-0N` or `solution-0N`), and
//! for each exercise whether it runs the learner's answer or the reference's.
//!
//! A value, not a type parameter, so that a program can start with the learner's answers,
//! find one that is not done yet, and carry on with the reference's for that exercise alone;
//! and so that a test can run the learner's answer for one exercise and the reference's
//! for the others (see [`Picks::yours_for`]).

/// Whose program is running and which exercises run the reference's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Picks {
    lesson: u8,
    exercises: u8,
    /// The program is `solution-0N` (else `exercise-0N`).
    solution: bool,
    /// Bit `m - 1` is set when exercise `lesson.m` runs `solution.rs`.
    reference: u16,
}

impl Picks {
    /// `exercise-0N`: the learner's answer for each of lesson `lesson`'s `exercises`.
    pub const fn exercise(lesson: u8, exercises: u8) -> Picks {
        assert!(
            exercises >= 1 && exercises <= 16,
            "a lesson has 1 to 16 exercises"
        );
        Picks {
            lesson,
            exercises,
            solution: false,
            reference: 0,
        }
    }

    /// `solution-0N`: the reference's answer for each exercise.
    pub const fn solution(lesson: u8, exercises: u8) -> Picks {
        let all = Picks::exercise(lesson, exercises);
        Picks {
            solution: true,
            reference: all.all(),
            ..all
        }
    }

    /// For tests: the learner's answer for exercise `lesson.m` and the reference's for the
    /// others, so that a test of one exercise does not depend on the others being done.
    pub const fn yours_for(lesson: u8, exercises: u8, m: u8) -> Picks {
        let mine = Picks::exercise(lesson, exercises);
        Picks {
            reference: mine.all() & !mine.bit(m),
            ..mine
        }
    }

    /// These picks, except that exercise `lesson.m` runs the reference's answer.
    pub const fn with_reference(self, m: u8) -> Picks {
        Picks {
            reference: self.reference | self.bit(m),
            ..self
        }
    }

    /// True when exercise `lesson.m` runs the reference's answer.
    pub const fn reference(self, m: u8) -> bool {
        self.reference & self.bit(m) != 0
    }

    /// `"exercise"` or `"solution"`: whose program this is, printed above its tables.
    pub const fn name(self) -> &'static str {
        if self.solution {
            "solution"
        } else {
            "exercise"
        }
    }

    /// The binary that runs these answers: `exercise-0N` or `solution-0N`.
    pub fn binary(self) -> String {
        format!("{}-{:02}", self.name(), self.lesson)
    }

    /// The exercises that run the reference's answer although this is the learner's
    /// program (those a probe found not done), as `"N.M"`.
    pub fn fallbacks(self) -> Vec<String> {
        if self.solution {
            return Vec::new();
        }
        (1..=self.exercises)
            .filter(|&m| self.reference(m))
            .map(|m| format!("{}.{m}", self.lesson))
            .collect()
    }

    const fn all(self) -> u16 {
        ((1u32 << self.exercises) - 1) as u16
    }

    const fn bit(self, m: u8) -> u16 {
        assert!(
            m >= 1 && m <= self.exercises,
            "no such exercise in this lesson"
        );
        1 << (m - 1)
    }
}

/// A call of one exercise's answer on a tiny input, for [`probe`].
pub type Check<'a> = Box<dyn FnOnce() + 'a>;

/// Runs each check (`checks[m - 1]` calls exercise `lesson.m`'s answer) and returns `picks`
/// with the reference's answer in place of each that panics (a `todo!` not done yet, or a
/// bug), saying so on stderr unless `quiet`: how lessons 5 and 6 start before all their
/// exercises are written.
pub fn probe(picks: Picks, checks: Vec<Check<'_>>, quiet: bool) -> Picks {
    let mut picked = picks;
    for (m, check) in (1..).zip(checks) {
        if let Err(message) = crate::report::catch_quietly(check) {
            picked = picked.with_reference(m);
            if !quiet {
                let exercise = format!("{}.{m}", picks.lesson);
                eprintln!("{}", crate::report::reference_note(&exercise, &message));
            }
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::Picks;

    #[test]
    fn exercise_runs_yours_and_solution_the_reference() {
        let yours = Picks::exercise(5, 3);
        let reference = Picks::solution(5, 3);
        for m in 1..=3 {
            assert!(!yours.reference(m));
            assert!(reference.reference(m));
        }
        assert_eq!(
            (yours.name(), yours.binary()),
            ("exercise", "exercise-05".into())
        );
        assert_eq!(reference.binary(), "solution-05");
    }

    #[test]
    fn yours_for_one_exercise_is_the_reference_for_the_rest() {
        let picks = Picks::yours_for(6, 3, 2);
        assert_eq!(
            (1..=3).map(|m| picks.reference(m)).collect::<Vec<_>>(),
            [true, false, true]
        );
        assert_eq!(picks.name(), "exercise");
    }

    #[test]
    fn a_fallback_is_listed_once_and_only_in_the_learners_program() {
        let picks = Picks::exercise(4, 4).with_reference(3).with_reference(3);
        assert_eq!(picks.fallbacks(), ["4.3"]);
        assert!(Picks::solution(4, 4).fallbacks().is_empty());
        assert_ne!(picks, Picks::exercise(4, 4));
    }
}
