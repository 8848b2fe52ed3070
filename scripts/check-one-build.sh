#!/usr/bin/env bash
# After `cargo test --workspace --features solution` (the README's test command), the
# commands a learner runs next must compile no crate from outside the workspace: each
# lesson built alone (`cargo course`, `cargo test -p … --test exN_M`, `cargo run -p …`)
# sees the same features as the whole workspace, thanks to workspace-hack/. This fails,
# naming the crates, when a dependency change made that untrue: regenerate the hack with
#   cargo hakari generate && cargo hakari manage-deps --yes
# (install: cargo install cargo-hakari --locked --version 0.9.39).
#
# The release profile resolves features exactly as the dev profile does, so checking the
# dev builds (with and without dev-dependencies) covers `cargo run --release -p …` too.
set -euo pipefail
cd "$(dirname "$0")/.."

failed=0
# check ARGS…: runs `cargo ARGS --message-format=json` and lists the non-workspace crates
# it compiled (artifacts that were not fresh and whose package is not a path dependency).
check() {
  local messages compiled
  messages=$(mktemp)
  if ! cargo "$@" --message-format=json > "$messages" 2> "$messages.err"; then
    echo "check-one-build: \`cargo $*\` failed:"
    tail -20 "$messages.err"
    failed=1
    rm -f "$messages" "$messages.err"
    return
  fi
  compiled=$(grep '"reason":"compiler-artifact"' "$messages" \
    | grep '"fresh":false' \
    | grep -v '"package_id":"path+file://' \
    | sed -E 's/.*"package_id":"[^#"]*#([^"]*)".*/\1/' | sort -u || true)
  rm -f "$messages" "$messages.err"
  if [ -n "$compiled" ]; then
    echo "check-one-build: \`cargo $*\` compiled crates from outside the workspace again:"
    echo "$compiled" | sed 's/^/  /'
    failed=1
  else
    echo "check-one-build: \`cargo $*\`: no crate from outside the workspace compiled."
  fi
}

# What `cargo course` runs for each lesson, and what a learner's `cargo test -p` builds.
for manifest in [0-9][0-9]-*/Cargo.toml; do
  package=$(sed -nE 's/^name = "(.*)"/\1/p' "$manifest" | head -1)
  check test -p "$package" --no-run
  check build -p "$package" --bins
done
check build -p course
check build -p data --bins

if [ "$failed" -ne 0 ]; then
  echo "check-one-build: regenerate workspace-hack/ (see the top of this script) and commit it." >&2
  exit 1
fi
