#!/usr/bin/env python3
"""Fails on a cycle between the modules of one crate.

A module depends on another when its code names it through `crate::` (a `use crate::…`,
a grouped `use crate::{a, b::c}`, or a path such as `crate::a::f()` in an expression);
comments and strings do not count. Edges between a module and its own ancestors are left
out (a parent declares its children; a child may use its parent's items). Every crate of
the workspace is checked: the library of each member (`src/lib.rs` and the modules under
it) and a binary whose root is `src/main.rs`. Prints each cycle, shortest first, as
`a -> b -> a`, with the file and line of each step.

    scripts/check-module-cycles.py            # the whole workspace
    scripts/check-module-cycles.py shared     # one crate folder
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_comments_and_strings(text: str) -> str:
    """The code of `text`, with comments and string literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:]) and (i == 0 or not re.match(r"[A-Za-z0-9_]", text[i - 1])):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            end = n if end < 0 else end + 1 + len(hashes)
            out.append("\n" * text.count("\n", i, end))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append("\n" * text.count("\n", i, j + 1))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:]):
            i += len(re.match(r"'(\\.[^']*|[^\\'])'", text[i:]).group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def modules(src: Path, root_file: str) -> dict:
    """Module path (tuple) -> file, for the crate whose root is `src/root_file`."""
    found = {(): src / root_file}
    for file in sorted(src.rglob("*.rs")):
        rel = file.relative_to(src)
        if rel.parts[0] == "bin" or rel.name in ("lib.rs", "main.rs"):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "mod":
            parts.pop()
        found[tuple(parts)] = file
    return found


def referenced_paths(code: str):
    """(line, path) for every `crate::` path in `code`, grouped imports expanded."""
    for m in re.finditer(r"\bcrate::", code):
        line = code.count("\n", 0, m.start()) + 1
        rest = code[m.end():]
        yield from ((line, p) for p in expand((), rest))


def expand(prefix, rest):
    """The paths that `rest` (what follows `crate::` or a `::{`) names."""
    rest = rest.lstrip()
    if rest.startswith("{"):
        depth, j = 0, 0
        for j, c in enumerate(rest):
            depth += c == "{"
            depth -= c == "}"
            if depth == 0:
                break
        inner = rest[1:j]
        items, depth, start = [], 0, 0
        for k, c in enumerate(inner):
            depth += c == "{"
            depth -= c == "}"
            if c == "," and depth == 0:
                items.append(inner[start:k])
                start = k + 1
        items.append(inner[start:])
        for item in items:
            if item.strip():
                yield from expand(prefix, item)
        return
    m = re.match(rf"({IDENT}(?:\s*::\s*{IDENT})*)(\s*::\s*\{{)?", rest)
    if not m:
        return
    parts = tuple(p.strip() for p in m.group(1).split("::"))
    if m.group(2):
        yield from expand(prefix + parts, rest[m.end(1):].lstrip()[2:].lstrip())
    else:
        yield prefix + parts


def owner(path, mods):
    """The module that item `path` lives in: the longest prefix that is a module."""
    for k in range(len(path), 0, -1):
        if path[:k] in mods:
            return path[:k]
    return None


def related(a, b):
    return a[: len(b)] == b or b[: len(a)] == a


def cycles_of(src: Path, root_file: str):
    mods = modules(src, root_file)
    edges = {m: {} for m in mods}
    for m, file in mods.items():
        if m == ():
            continue
        code = strip_comments_and_strings(file.read_text(encoding="utf-8"))
        for line, path in referenced_paths(code):
            target = owner(path, mods)
            if target and target != () and not related(m, target):
                edges[m].setdefault(target, (file, line))
    # Tarjan's strongly connected components.
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(comp)

    sys.setrecursionlimit(10000)
    for v in mods:
        if v not in index:
            visit(v)
    found = []
    for comp in comps:
        members = set(comp)
        # The shortest cycle through the component's first module, by breadth-first search.
        start = min(comp)
        paths = {start: [start]}
        queue = [start]
        cycle = None
        while queue and not cycle:
            v = queue.pop(0)
            for w in sorted(edges[v]):
                if w not in members:
                    continue
                if w == start:
                    cycle = paths[v] + [start]
                    break
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    queue.append(w)
        steps = []
        for a, b in zip(cycle, cycle[1:]):
            file, line = edges[a][b]
            steps.append(f"    {'::'.join(a)} -> {'::'.join(b)}  ({file.relative_to(ROOT)}:{line})")
        knot = ", ".join(sorted("::".join(m) for m in comp))
        steps.append(f"    (modules tied together, in cycles of their own too: {knot})")
        found.append(("crate::" + " -> ".join("::".join(m) for m in cycle), steps))
    return found


def crates(only):
    for manifest in sorted(ROOT.glob("*/Cargo.toml")):
        folder = manifest.parent
        if only and folder.name not in only:
            continue
        for root_file in ("lib.rs", "main.rs"):
            if (folder / "src" / root_file).is_file():
                yield folder, root_file


def main():
    only = [a.rstrip("/") for a in sys.argv[1:]]
    failed = False
    checked = 0
    for folder, root_file in crates(only):
        checked += 1
        for cycle, steps in cycles_of(folder / "src", root_file):
            failed = True
            print(f"check-module-cycles: {folder.name} ({root_file}): {cycle}")
            print("\n".join(steps))
    if not failed:
        print(f"check-module-cycles: no cycle between the modules of {checked} crates.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
