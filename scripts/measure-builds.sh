#!/usr/bin/env bash
# The setup chapter's build times: clones this repository's HEAD into a temporary folder and
# times, in turn from an empty target/, the README's two commands, the first cargo course,
# an exercise's test command, the release build, a lesson program's start, and cargo course
# after an edit. For each, it prints the seconds, the exit code, and the crates from
# outside the workspace that it compiled (new entries of target/*/.fingerprint).
# Takes about eight minutes on 2 cores and 2 GB of disk; the logs lie beside the clone.
set -u
export PARALLEL_RUST_NO_PROGRESS=1 CARGO_TERM_COLOR=never
repo=$(cd "$(dirname "$0")/.." && pwd)
clone=$(mktemp -d)/clone
git clone -q "$repo" "$clone" && cd "$clone" || exit 1
echo "commit $(git rev-parse --short HEAD)"
fp() { ls target/*/.fingerprint 2>/dev/null | sort; }
t() {
  local name=$1; shift
  fp > "$clone.fp.before"
  local s=$(date +%s.%N)
  "$@" > "$clone.$name.log" 2>&1
  local rc=$?
  local e=$(date +%s.%N)
  fp > "$clone.fp.after"
  local new=$(comm -13 "$clone.fp.before" "$clone.fp.after" | grep -v -E '^(shared|data|course|lesson-0[0-9]-[a-z-]+|workspace-hack)-[0-9a-f]{16}$' | sed -E 's/-[0-9a-f]{16}$//' | sort -u | tr '\n' ' ')
  local compiling=$(grep -c '^ *Compiling' "$clone.$name.log")
  printf '%s\t%.1f s\trc=%s\tCompiling lines=%s\tnew non-workspace fingerprints: %s\n' "$name" "$(echo "$e - $s" | bc)" "$rc" "$compiling" "${new:-none}"
}
t data cargo run --release -p data
t test-build cargo test --workspace --features solution --no-run
t test-run cargo test --workspace --features solution
t course1 cargo run -p course
t course2 cargo run -p course
t ex3_1 cargo test -p lesson-03-datasets --test ex3_1
t release cargo build --release --workspace
t run02 cargo run --release -p lesson-02-futures --bin solution-02 -- --help
t run03 cargo run --release -p lesson-03-datasets --bin exercise-03 -- --help
echo '// an edit' >> 01-map/src/exercise.rs  # an edit to lesson 1
t course-edit cargo run -p course
t course-4 cargo run -p course -- next 4
