#!/usr/bin/env python3
"""The workshop's schedules, computed from each section's minutes.

Every `## ` section of the pages that book/schedule.toml lists carries its minutes on the line
under its heading, `<!-- minutes: N -->`. N is computed here, never typed:

- from walkthroughs timed by people (book/walkthroughs/*.tsv whose header says
  `# walker: person`): the median, over those logs, of the section's start-to-end minutes;
- until a section has one, an estimate from what is measured of it: its words as the rendered
  book shows them (prose and the code listings it includes; hints and speaker notes left
  out) at the reading rate schedule.toml gives, plus the median time the machine spent on the
  section's commands in the walkthroughs (`run` lines of every log), plus, for an exercise,
  the room's time-box.

book/schedule.toml also says which sections each schedule does in the room and which it
leaves for home, and where the breaks go. The Instructors page shows each schedule between
`<!-- schedule: NAME -->` and `<!-- /schedule -->`, and the minutes of every section between
`<!-- schedule: minutes -->` and `<!-- /schedule -->`.

    python3 scripts/schedule.py check   # fails when a section lacks its minutes or they are
                                        # not what the inputs make, when a schedule on the
                                        # page is stale, or a schedule's total is outside the
                                        # range schedule.toml gives it
    python3 scripts/schedule.py write   # rewrites the markers and the page's tables

It needs mdbook (to render the pages with their listings) and Python 3.11 (tomllib).
"""

import math
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SRC = BOOK / "src"
WALKS = BOOK / "walkthroughs"
CONFIG = BOOK / "schedule.toml"
PAGE = SRC / "instructors.md"
MARKER = re.compile(r"^<!-- minutes: (\d+) -->$")


def slug(heading):
    """mdBook's id for a heading: lower case, spaces to '-', only letters, digits, '-' and '_'."""
    out = []
    for ch in heading.strip().lower():
        if ch.isalnum() or ch in "-_":
            out.append(ch)
        elif ch.isspace():
            out.append("-")
    return "".join(out)


def split_sections(lines):
    """(index of the `## ` line, its title) for each section outside code fences."""
    fence = False
    found = []
    for n, text in enumerate(lines):
        if text.startswith("```"):
            fence = not fence
        elif not fence and text.startswith("## "):
            found.append((n, text[3:].strip()))
    return found


class Section:
    def __init__(self, page, index, title, line, marked):
        self.page, self.index, self.title, self.line, self.marked = page, index, title, line, marked
        number = re.match(r"(\d+\.\d+) ", title)
        self.number = number.group(1) if number else None
        self.exercise = bool(re.match(r"\d+\.\d+ Exercise", title))
        # A walkthrough log names a section by its number, or by page and position.
        self.walk_id = self.number or f"{page[:-3]}/{index}"
        self.anchor = f"{page}#{slug(title.replace('`', ''))}"
        self.words = 0
        self.waits = None  # the machine's seconds, for an estimate
        self.source = ""
        self.minutes = None

    def link(self):
        return f"[{self.title.replace('`', '')}]({self.anchor})"


def read_sections(config):
    """Every `## ` section of the scheduled pages, in book order, with its marker's value."""
    found = []
    for page in config["pages"]:
        lines = (SRC / page).read_text().splitlines()
        for index, (n, title) in enumerate(split_sections(lines), 1):
            following = lines[n + 1] if n + 1 < len(lines) else ""
            marker = MARKER.match(following)
            found.append(Section(page, index, title, n, int(marker.group(1)) if marker else None))
    return found


def rendered_words(config):
    """Words per (page, section index) of the book as mdbook renders it, listings included."""
    mdbook = shutil.which("mdbook")
    if not mdbook:
        sys.exit("schedule: needs mdbook to count the rendered words: cargo install mdbook --locked")
    words = {}
    with tempfile.TemporaryDirectory() as tmp:
        toml = (BOOK / "book.toml").read_text()
        if 'src = "src"' not in toml:
            sys.exit('schedule: book/book.toml no longer says src = "src": update rendered_words')
        toml = toml.replace('src = "src"', f'src = "{SRC}"')
        (Path(tmp) / "book.toml").write_text(toml + "\n[output.markdown]\n")
        subprocess.run([mdbook, "build", "-d", f"{tmp}/out", tmp], check=True, capture_output=True)
        for page in config["pages"]:
            text = (Path(tmp) / "out" / "markdown" / page).read_text()
            # Hints and speaker notes are folded: a learner opens the first only when stuck.
            text = re.sub(r"<details>.*?</details>", "", text, flags=re.S)
            text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
            lines = text.splitlines()
            heads = split_sections(lines)
            for index, (n, _) in enumerate(heads, 1):
                # A page's opening text belongs to its first section.
                begin = 0 if index == 1 else n
                end = heads[index][0] if index < len(heads) else len(lines)
                chunk = " ".join(lines[begin:end])
                words[(page, index)] = sum(1 for t in chunk.split() if re.search(r"\w", t))
    return words


def covered(intervals):
    """Seconds covered by (begin, end) intervals: commands run side by side (a scheduler, its
    workers and a client) count once."""
    total, reach = 0.0, None
    for begin, end in sorted(intervals):
        if reach is None or begin > reach:
            total += end - begin
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def read_logs():
    """Per walk id: the start-to-end seconds of each person's walkthrough, and the machine's
    seconds (the `run` lines) of every walkthrough."""
    people, machine = {}, {}
    for log in sorted(WALKS.glob("*.tsv")):
        text = log.read_text().splitlines()
        walker = next((t.split(":", 1)[1].strip() for t in text if t.startswith("# walker:")), None)
        if walker not in ("person", "agent"):
            sys.exit(f"schedule: {log.relative_to(ROOT)} has no '# walker: person' or '# walker: agent' line")
        spent, runs, open_at = {}, {}, {}
        for n, line in enumerate(text, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 3 or not parts[0].isdigit():
                sys.exit(f"schedule: {log.relative_to(ROOT)}:{n}: not a walk log line: {line!r}")
            at, event, walk_id = int(parts[0]), parts[1], parts[2]
            if event == "start":
                open_at[walk_id] = at
            elif event == "end" and walk_id in open_at:
                spent[walk_id] = spent.get(walk_id, 0) + at - open_at.pop(walk_id)
            elif event == "run":
                seconds = re.match(r"([0-9.]+)s ", parts[3] if len(parts) > 3 else "")
                if seconds:
                    runs.setdefault(walk_id, []).append((at - float(seconds.group(1)), at))
        if walker == "person":
            for walk_id, seconds in spent.items():
                people.setdefault(walk_id, []).append(seconds)
        for walk_id in set(spent) | set(runs):
            machine.setdefault(walk_id, []).append(covered(runs.get(walk_id, [])))
    return people, machine


def compute(config, all_sections):
    words = rendered_words(config)
    people, machine = read_logs()
    rate = config["estimate"]["words_per_minute"]
    box = config["estimate"]["exercise_minutes"]
    for s in all_sections:
        s.words = words[(s.page, s.index)]
        if s.walk_id in people:
            s.minutes = max(1, math.ceil(statistics.median(people[s.walk_id]) / 60))
            s.source = f"people ({len(people[s.walk_id])})"
            continue
        waits = statistics.median(machine.get(s.walk_id, [0.0]))
        s.waits = waits
        s.minutes = math.ceil(s.words / rate + waits / 60) + (box if s.exercise else 0)
        s.source = "estimate"


def resolve(item, all_sections):
    """A schedule item: "1.1", "01-map.md" (all its sections) or "01-map.md#the-job"."""
    if re.fullmatch(r"\d+\.\d+", item):
        hits = [s for s in all_sections if s.number == item]
    elif "#" in item:
        hits = [s for s in all_sections if s.anchor == item]
    else:
        hits = [s for s in all_sections if s.page == item]
    if not hits:
        sys.exit(f"schedule: book/schedule.toml names '{item}', which is no scheduled section")
    return hits


def short(item, all_sections):
    """A home item as a short link: its number, or its title, or its page's title."""
    first = resolve(item, all_sections)[0]
    if re.fullmatch(r"\d+\.\d+", item):
        return f"[{item}]({first.anchor})"
    if "#" in item:
        return first.link()
    title = next(t for t in (SRC / item).read_text().splitlines() if t.startswith("# "))
    return f"[{title[2:].strip()}]({item})"


def clock(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def render(schedule, all_sections):
    """The schedule as a Markdown table: start time, block, sections with their minutes."""
    hours, mins = map(int, schedule["start"].split(":"))
    now = hours * 60 + mins
    rows = ["| starts | block | in the room (minutes) | minutes | for home |", "|---|---|---|---:|---|"]
    teaching = 0
    used = set()
    for block in schedule["block"]:
        if "break" in block:
            rows.append(f"| {clock(now)} | *{block['title']}* | | *{block['break']}* | |")
            now += block["break"]
            continue
        room = [s for item in block.get("room", []) for s in resolve(item, all_sections)]
        home = [s for item in block.get("home", []) for s in resolve(item, all_sections)]
        for s in room + home:
            if s.anchor in used:
                sys.exit(f"schedule: schedule '{schedule['name']}' names {s.anchor} twice")
            used.add(s.anchor)
        minutes = sum(s.minutes for s in room)
        inside = ", ".join(f"{s.link()} ({s.minutes})" for s in room)
        outside = ", ".join(short(item, all_sections) for item in block.get("home", []))
        rows.append(f"| {clock(now)} | {block['title']} | {inside} | {minutes} | {outside} |")
        teaching += minutes
        now += minutes
    rows.append(f"| {clock(now)} | **end** | **teaching** | **{teaching}** | |")
    missing = [s.anchor for s in all_sections if s.anchor not in used]
    if missing:
        sys.exit(f"schedule: schedule '{schedule['name']}' places neither in the room nor at home: {', '.join(missing)}")
    return "\n".join(rows) + "\n", teaching


def minutes_table(all_sections):
    rows = [
        "| section | `walk` id | words | machine (s) | exercise | minutes | from |",
        "|---|---|---:|---:|---|---:|---|",
    ]
    for s in all_sections:
        waits = "" if s.waits is None else f"{s.waits:.0f}"
        exercise = "yes" if s.exercise else ""
        rows.append(f"| {s.link()} | `{s.walk_id}` | {s.words} | {waits} | {exercise} | {s.minutes} | {s.source} |")
    return "\n".join(rows) + "\n"


def replace_block(page, name, table):
    block = re.compile(r"(<!-- schedule: " + re.escape(name) + r" -->\n)(.*?)(<!-- /schedule -->)", re.S)
    found = block.search(page)
    if not found:
        return page, f"instructors.md has no '<!-- schedule: {name} -->' ... '<!-- /schedule -->' block"
    if found.group(2) == table:
        return page, None
    return page[: found.start(2)] + table + page[found.end(2) :], "stale"


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "check"
    if mode not in ("check", "write"):
        sys.exit(__doc__)
    config = tomllib.loads(CONFIG.read_text())
    all_sections = read_sections(config)
    compute(config, all_sections)
    problems = []

    changed = {}
    for s in all_sections:
        if s.marked == s.minutes:
            continue
        if mode == "write":
            changed.setdefault(s.page, []).append(s)
        elif s.marked is None:
            problems.append(f"{s.page}: section \"{s.title}\" has no '<!-- minutes: N -->' line under its heading ({s.minutes} by its inputs)")
        else:
            problems.append(f"{s.page}: section \"{s.title}\" says {s.marked} minutes, its inputs make {s.minutes}")
    for page, stale in changed.items():
        path = SRC / page
        lines = path.read_text().splitlines(keepends=True)
        for s in sorted(stale, key=lambda s: -s.line):  # from the bottom: line numbers hold
            marker = f"<!-- minutes: {s.minutes} -->\n"
            if s.marked is None:
                lines.insert(s.line + 1, marker)
            else:
                lines[s.line + 1] = marker
        path.write_text("".join(lines))

    page = PAGE.read_text()
    tables = [("minutes", minutes_table(all_sections))]
    for schedule in config["schedule"]:
        table, total = render(schedule, all_sections)
        low, high = schedule["total"]
        if not low <= total <= high:
            problems.append(f"schedule '{schedule['name']}' teaches {total} minutes, outside {low}..{high}: change book/schedule.toml")
        tables.append((schedule["name"], table))
    for name, table in tables:
        page, problem = replace_block(page, name, table)
        if problem == "stale" and mode == "check":
            problems.append(f"instructors.md: the '{name}' table is not what the minutes make: run python3 scripts/schedule.py write")
        elif problem and problem != "stale":
            problems.append(problem)
    if mode == "write":
        PAGE.write_text(page)

    for p in problems:
        print(f"schedule: {p}")
    if problems:
        sys.exit(1)
    totals = ", ".join(f"{s['name']} {render(s, all_sections)[1]} min" for s in config["schedule"])
    print(f"schedule: {len(all_sections)} sections carry their minutes; schedules: {totals}.")


if __name__ == "__main__":
    main()
