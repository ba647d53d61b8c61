#!/usr/bin/env python3
"""Holds the code to the layer diagram (docs/architecture.md, "Layers").

    check_layers.py MAP SOURCE_DIR          # exit 1 and one line per violation
    check_layers.py --floors MAP            # the diagram as the build has it

MAP is written by cmake/layers.cmake at configure time (build/layers.txt). The rules:
  1. A target links only targets on lower floors (arrows point down; no cycles).
  2. A product file includes only headers of its own target or of targets its links
     reach (direct links, then what those export publicly, and so on).
  3. A product file includes no test-only file.
A header belongs to the target that lists it, else to the target that compiles the .cpp
beside it with the same name, else to the one target with sources in its folder (or,
when there is none, the nearest folder above that has one).
"""

import collections
import os
import re
import sys

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
# Test-only files: tests, fuzz targets, and test support (test_*.h with its test_*.cpp,
# fake_*.h), which product code may not include.
TEST_ONLY_RE = re.compile(
    r"(_test\.(cpp|h)|_fuzz\.cpp|(^|/)test_[^/]*\.(cpp|h)|(^|/)fake_[^/]*\.h)$")


def read_map(path):
    targets = {}  # name -> (type, floor, folder)
    sources = collections.defaultdict(list)
    links = collections.defaultdict(dict)  # name -> {dependency: visibility}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "target":
                targets[parts[1]] = (parts[2], int(parts[3]), parts[4])
            elif parts[0] == "source":
                sources[parts[1]].append(parts[2])
            elif parts[0] == "link":
                links[parts[1]][parts[2]] = parts[3]
    return targets, sources, links


def is_test_only(rel):
    return bool(TEST_ONLY_RE.search(rel))


class Owners:
    def __init__(self, targets, sources):
        self.listed = {}
        self.by_folder = collections.defaultdict(set)
        for name, files in sources.items():
            for rel in files:
                self.listed[rel] = name
                self.by_folder[os.path.dirname(rel)].add(name)
        self.targets = targets

    def of(self, rel):
        """(target, None) or (None, why)."""
        if rel in self.listed:
            return self.listed[rel], None
        stem, ext = os.path.splitext(rel)
        if ext == ".h" and stem + ".cpp" in self.listed:
            return self.listed[stem + ".cpp"], None
        folder = os.path.dirname(rel)
        while folder:
            owners = self.by_folder.get(folder)
            if owners:
                if len(owners) == 1:
                    return next(iter(owners)), None
                return None, "several targets have sources in %s (%s); list it in one" % (
                    folder, ", ".join(sorted(owners)))
            folder = os.path.dirname(folder)
        return None, "no target has sources in its folder or above"


def reach(name, links):
    """Targets whose headers `name` may include: its direct links, then public ones."""
    out = set()
    todo = list(links.get(name, {}))
    while todo:
        t = todo.pop()
        if t in out:
            continue
        out.add(t)
        todo.extend(d for d, v in links.get(t, {}).items() if v == "public")
    return out


def check(map_path, source_dir):
    targets, sources, links = read_map(map_path)
    problems = []
    for name, deps in sorted(links.items()):
        for dep in sorted(deps):
            if dep not in targets:
                continue
            if targets[dep][1] >= targets[name][1]:
                problems.append("link %s (floor %d) -> %s (floor %d): links must point down" % (
                    name, targets[name][1], dep, targets[dep][1]))
    owners = Owners(targets, sources)
    files = []
    src = os.path.join(source_dir, "src")
    for root, _, names in os.walk(src):
        for n in names:
            if n.endswith((".cpp", ".h")):
                files.append(os.path.relpath(os.path.join(root, n), source_dir))
    checked = 0
    for rel in sorted(files):
        if is_test_only(rel):
            continue
        owner, why = owners.of(rel)
        if owner is None:
            problems.append("%s: belongs to no target: %s" % (rel, why))
            continue
        allowed = reach(owner, links) | {owner}
        with open(os.path.join(source_dir, rel), encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                included = os.path.join("src", m.group(1))
                if not os.path.exists(os.path.join(source_dir, included)):
                    continue  # not ours (a library's header)
                checked += 1
                if is_test_only(included):
                    problems.append("%s:%d: includes %s, which only tests may use" % (
                        rel, number, included))
                    continue
                target, why = owners.of(included)
                if target is None:
                    problems.append("%s:%d: includes %s, which belongs to no target: %s" % (
                        rel, number, included, why))
                elif target not in allowed:
                    problems.append(
                        "%s:%d: includes %s of %s, which %s does not link (floor %d -> %d); "
                        "link it if the layers allow, or move the code" % (
                            rel, number, included, target, owner, targets[owner][1],
                            targets[target][1]))
    return problems, len(targets), checked


def floors(map_path):
    targets, _, links = read_map(map_path)
    by_floor = collections.defaultdict(list)
    for name, (kind, floor, folder) in targets.items():
        if "testing" in name or name == "postamt_test_pch":
            continue
        by_floor[floor].append("%s/" % folder[len("src/"):] if folder.startswith("src/") else folder)
    lines = []
    for floor in sorted(by_floor, reverse=True):
        lines.append("%2d  %s" % (floor, "  ".join(sorted(set(by_floor[floor])))))
    return "\n".join(lines)


def main(argv):
    if len(argv) == 3 and argv[1] == "--floors":
        print(floors(argv[2]))
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    problems, targets, checked = check(argv[1], argv[2])
    for p in problems:
        print(p)
    print("layers: %d targets, %d includes checked, %d problems" % (targets, checked,
                                                                     len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
