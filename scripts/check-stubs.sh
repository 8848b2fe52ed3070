#!/usr/bin/env bash
# Proves that every exercise test fails on the untouched stubs.
#
# For each lesson crate (a directory NN-topic with a Cargo.toml), runs its exercise test
# files, tests/exN_M.rs, WITHOUT the `solution` feature, i.e. against src/exercise.rs as
# shipped, and fails if any of their tests passes (a test that passes on a `todo!()` checks
# nothing), if an exercise file has no test, or if a test's name does not start with its
# exercise id (exN_M_). Other test files test given code: they are ordinary tests, run by
# `cargo test`, and not checked here.
#
# Usage: scripts/check-stubs.sh [LESSON_DIR ...]   (default: every lesson)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
  lessons=("$@")
else
  lessons=()
  for manifest in [0-9][0-9]-*/Cargo.toml; do
    [ -e "$manifest" ] && lessons+=("$(dirname "$manifest")")
  done
fi
if [ "${#lessons[@]}" -eq 0 ]; then
  echo "check-stubs: no lesson crates yet; nothing to check."
  exit 0
fi

status=0
for dir in "${lessons[@]}"; do
  package=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$dir/Cargo.toml" | head -n 1)
  targets=()
  for file in "$dir"/tests/ex[0-9]*_[0-9]*.rs; do
    [ -e "$file" ] && targets+=(--test "$(basename "$file" .rs)")
  done
  if [ "${#targets[@]}" -eq 0 ]; then
    echo "check-stubs: $package: no tests/exN_M.rs files."
    status=1
    continue
  fi
  log=$(mktemp)
  # The tests are expected to fail, so cargo's exit status says nothing; the log does.
  cargo test -p "$package" "${targets[@]}" --no-fail-fast --color never -- --color never >"$log" 2>&1 || true
  if grep -q '^error\(\[E[0-9]*\]\)\?:' "$log" && ! grep -q '^test result:' "$log"; then
    echo "check-stubs: $package: the untouched stubs do not compile:"
    grep -A 12 '^error' "$log" | head -n 40
    status=1
  fi
  passed=$(grep -E '^test .* \.\.\. ok$' "$log" | sed -E 's/^test (.*) \.\.\. ok$/\1/' || true)
  failed=$(grep -cE '^test .* \.\.\. FAILED$' "$log" || true)
  if [ -n "$passed" ]; then
    echo "check-stubs: $package: these tests PASS on the untouched stubs, so they check nothing:"
    echo "$passed" | sed 's/^/    /'
    status=1
  fi
  if [ "$failed" -eq 0 ]; then
    echo "check-stubs: $package: no test ran against the stubs."
    status=1
  fi
  misnamed=$(grep -E '^test .* \.\.\. (ok|FAILED)$' "$log" | sed -E 's/^test (.*) \.\.\. .*$/\1/' | grep -vE '^ex[0-9]+_[0-9]+_' || true)
  if [ -n "$misnamed" ]; then
    echo "check-stubs: $package: exercise tests must be named after their exercise (exN_M_…):"
    echo "$misnamed" | sed 's/^/    /'
    status=1
  fi
  for target in "${targets[@]}"; do
    [ "$target" = --test ] && continue
    if ! grep -qE "^test ${target}_.* \.\.\. FAILED$" "$log"; then
      echo "check-stubs: $package: tests/$target.rs has no test named ${target}_… failing on the stubs."
      status=1
    fi
    id=${target#ex}; id=${id/_/.}
    if ! grep -q "exercise $id is not done yet" "$log"; then
      echo "check-stubs: $package: no failure of tests/$target.rs says \"exercise $id is not done yet\" (run it through shared::testing::within)."
      status=1
    fi
  done
  if [ -z "$passed" ] && [ "$failed" -gt 0 ]; then
    echo "check-stubs: $package: all $failed exercise tests fail on the stubs, as they should."
  fi
  rm -f "$log"
done
exit "$status"
