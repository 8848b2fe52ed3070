#!/usr/bin/env bash
# Checks what `mdbook build` lets through (mdbook-linkcheck does not work with mdbook 0.5):
# every {{#include FILE:ANCHOR}} names an existing file that has that anchor, and every
# relative link or image in book/src points at a file that exists.
#
# (course/tests holds a demo course of its own, with its own numbering: not scanned.)
#
# Then the numbering rule of the lesson template: exercise N.M is in book section N.M.
# Every "section N.M" in the book, the lessons' code, tests and hints, and in `shared`,
# must name a heading "N.M …" of the book; every "exercise N.M" a heading "N.M Exercise…";
# every tests/exN_M.rs an exercise heading N.M; and every stub's
# `todo!("exercise N.M: … see book section K.L")` must have K.L = N.M.
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

# The numbering rule.
cd ../..
headings=$(grep -hoE '^#+ [0-9]+\.[0-9]+ .*' book/src/*.md | sed -E 's/^#+ //')
sections=$(echo "$headings" | sed -E 's/^([0-9]+\.[0-9]+) .*/\1/' | sort -u)
exercises=$(echo "$headings" | grep -E '^[0-9]+\.[0-9]+ Exercise' | sed -E 's/^([0-9]+\.[0-9]+) .*/\1/' | sort -u)
sources=$(ls book/src/*.md README.md; find shared data course [0-9][0-9]-* \( -name '*.rs' -o -name '*.md' -o -name '*.toml' \) -not -path '*/target/*' -not -path 'course/tests/*' 2>/dev/null | sort)
while IFS= read -r hit; do
  file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}; ref=${rest#*:}
  number=$(echo "$ref" | grep -oE '[0-9]+\.[0-9]+$')
  case "$ref" in
    [Ss]ection*) known=$sections; kind="heading \"$number …\"" ;;
    *) known=$exercises; kind="exercise heading \"$number Exercise…\"" ;;
  esac
  if ! grep -qx "$number" <<<"$known"; then
    echo "check-book: $file:$line says \"$ref\", but the book has no $kind"; status=1
  fi
done < <(grep -noE '([Ss]ection|[Ee]xercises?) [0-9]+\.[0-9]+' $sources | sed -E 's/^([^:]*):([0-9]+):/\1:\2:/')
for test in [0-9][0-9]-*/tests/ex[0-9]*_[0-9]*.rs; do
  [ -e "$test" ] || continue
  number=$(basename "$test" .rs | sed -E 's/^ex([0-9]+)_([0-9]+)$/\1.\2/')
  if ! grep -qx "$number" <<<"$exercises"; then
    echo "check-book: $test exists, but the book has no heading \"$number Exercise…\""; status=1
  fi
done
while IFS= read -r hit; do
  own=$(echo "$hit" | sed -nE 's/.*exercise ([0-9]+\.[0-9]+).*/\1/p')
  says=$(echo "$hit" | sed -nE 's/.*section ([0-9]+\.[0-9]+).*/\1/p')
  if [ -z "$says" ] || [ "$own" != "$says" ]; then
    echo "check-book: a stub's todo! for exercise $own points to section ${says:-(none)}: $hit"; status=1
  fi
done < <(grep -hA2 'todo!' [0-9][0-9]-*/src/exercise*.rs [0-9][0-9]-*/src/exercise/*.rs 2>/dev/null | tr -d '\n' | grep -oE '"exercise [0-9]+\.[0-9]+[^"]*"' || true)

# The instructors' rule: every section of a lesson chapter ends with its speaker notes, a
# folded <details> whose summary is "Speaker notes".
for page in book/src/0[1-6]-*.md; do
  case "$page" in *-solutions.md) continue ;; esac
  missing=$(awk '
    /^```/ { fence = !fence }
    !fence && /^## / { if (title != "" && !notes) print title; title = $0; notes = 0 }
    /<summary>Speaker notes<\/summary>/ { notes = 1 }
    END { if (title != "" && !notes) print title }
  ' "$page")
  while IFS= read -r title; do
    [ -n "$title" ] && { echo "check-book: $page: section \"${title#\#\# }\" has no speaker notes"; status=1; }
  done <<<"$missing"
done

# Links to a heading of another page (`01-map.md#the-job`): the id must be in the page that
# `mdbook build book` wrote (run it first; without it, this part is skipped and says so).
if [ -d book/book ]; then
  while IFS= read -r hit; do
    file=${hit%%:*}; link=${hit#*:}; link=${link#](}; link=${link%)}
    page=${link%%#*}; id=${link#*#}
    html="book/book/${page%.md}.html"
    if [ -f "$html" ] && ! grep -q "id=\"$id\"" "$html"; then
      echo "check-book: $file links to $link, but $html has no heading with that id"; status=1
    fi
  done < <(grep -oE '\]\([a-z0-9-]+\.md#[^) ]+\)' book/src/*.md /dev/null | grep -v '^/dev/null')
else
  echo "check-book: book/book is not built, so links to headings were not checked: run mdbook build book"
fi

# The schedules: every section carries its minutes, and the Instructors page's tables are
# what they make (scripts/schedule.py says how).
python3 scripts/schedule.py check || status=1

[ "$status" -eq 0 ] && echo "check-book: includes, anchors, links, section numbers, speaker notes and schedules resolve."
exit "$status"
