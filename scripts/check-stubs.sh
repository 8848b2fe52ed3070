#!/usr/bin/env bash
# Proves that every exercise test fails on the untouched stubs.
#
# For each lesson crate (a directory NN-topic with a Cargo.toml), builds and runs its
# exercise test files, tests/exN_M.rs, WITHOUT the `solution` feature, i.e. against
# src/exercise.rs as shipped, and fails if any of their tests passes (a test that passes on
# a `todo!()` checks nothing), if an exercise file has no failing test, if a test's name
# does not start with its exercise id (exN_M_), or if no failure says "exercise N.M is not
# done yet". Other test files test given code and are not checked here.
#
# The checks live in the course runner (`cargo course verify --stubs`, course/src/main.rs),
# so that instructors and CI run the same code.
#
# Usage: scripts/check-stubs.sh [LESSON_DIR ...]   (default: every lesson)
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet -p course -- verify --stubs "$@"
