#!/usr/bin/env bash
# Checks what `mdbook build` lets through (mdbook-linkcheck does not work with mdbook 0.5):
# every {{#include FILE:ANCHOR}} names an existing file that has that anchor, and every
# relative link or image in book/src points at a file that exists.
set -euo pipefail
cd "$(dirname "$0")/../book/src"

status=0
for page in $(find . -name '*.md' | sort); do
  dir=$(dirname "$page")
  while IFS= read -r spec; do
    file=${spec%%:*}
    anchor=""
    [ "$file" != "$spec" ] && anchor=${spec#*:}
    if [ ! -f "$dir/$file" ]; then
      echo "check-book: $page includes $file, which does not exist"; status=1; continue
    fi
    if [ -n "$anchor" ] && ! [[ "$anchor" =~ ^[0-9:]+$ ]] && ! grep -q "ANCHOR: *$anchor\b" "$dir/$file"; then
      echo "check-book: $page includes anchor '$anchor' of $file, which has no such anchor"; status=1
    fi
  done < <(grep -o '{{#\(include\|rustdoc_include\) [^}]*}}' "$page" | sed -E 's/\{\{#[a-z_]+ ([^}]*)\}\}/\1/')
  while IFS= read -r target; do
    target=${target%%#*}
    case "$target" in ""|http://*|https://*|mailto:*) continue ;; esac
    if [ ! -e "$dir/$target" ]; then
      echo "check-book: $page links to $target, which does not exist"; status=1
    fi
  done < <(grep -o '\]([^)]*)' "$page" | sed -E 's/^\]\(([^) ]*).*$/\1/')
done
[ "$status" -eq 0 ] && echo "check-book: includes, anchors and links resolve."
exit "$status"
