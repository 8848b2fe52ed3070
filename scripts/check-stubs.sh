#!/usr/bin/env bash
# Proves that every exercise test fails on the untouched stubs.
#
# For each lesson crate (a directory NN-topic with a Cargo.toml), runs its unit and
# integration tests WITHOUT the `solution` feature, i.e. against src/exercise.rs as shipped,
# and fails if any test passes: a test that passes on a `todo!()` checks nothing. Doctests
# are not run (compile-fail doctests rightly pass). Tests of the reference alone belong
# behind `cfg(feature = "solution")`, and tests of given code in the `shared` crate.
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
  log=$(mktemp)
  # The tests are expected to fail, so cargo's exit status says nothing; the log does.
  cargo test -p "$package" --lib --tests --no-fail-fast --color never -- --color never >"$log" 2>&1 || true
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
  if [ -z "$passed" ] && [ "$failed" -gt 0 ]; then
    echo "check-stubs: $package: all $failed tests fail on the stubs, as they should."
  fi
  rm -f "$log"
done
exit "$status"
