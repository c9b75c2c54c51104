#!/usr/bin/env python3
"""Checks src/ against the dependency table of ARCHITECTURE.md.

Usage: check_dependencies.py REPOSITORY_ROOT

The table (section "Allowed dependencies") has a row per folder: `| folder | may include |`.
Fails, naming file and line, when
  - a file includes a header of a folder its row does not list;
  - a file includes another feature folder's header other than its public ones (`X/X.hpp` and
    `X/settings.hpp`): features never reach into each other's internals or command files;
  - a folder's CMakeLists.txt links an agentdb_ library of a folder its row does not list;
  - a folder under src/ has no row, or a row names no folder.
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([A-Za-z0-9_.]+)"')
LINK = re.compile(r"\bagentdb_([a-z]+)\b")
# Folders whose public headers are all another feature may include of them.
FEATURES = {"local", "migrate", "seed", "backup", "qdrant", "health", "cost", "serve"}
# Folders that may include any header of the folders they list (front ends and the layers below).
FRONT_ENDS = {"cli", "serve"}


def read_table(architecture):
    rows = {}
    in_section = False
    for line in architecture.read_text().splitlines():
        if line.startswith("## "):
            in_section = line.strip() == "## Allowed dependencies"
            continue
        if not in_section or not line.startswith("|"):
            continue
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("folder", "") or set(cells[0]) <= set("-: "):
            continue
        allowed = {c.strip().strip("`") for c in cells[1].split(",") if c.strip() not in ("", "—", "-")}
        rows[cells[0]] = allowed
    return rows


def main():
    root = pathlib.Path(sys.argv[1])
    src = root / "src"
    table = read_table(root / "ARCHITECTURE.md")
    problems = []
    if not table:
        problems.append("ARCHITECTURE.md: no '## Allowed dependencies' table")
    folders = sorted(p.name for p in src.iterdir() if p.is_dir())
    for folder in folders:
        if folder not in table:
            problems.append(f"ARCHITECTURE.md: no row for src/{folder}")
    for folder in table:
        if folder not in folders:
            problems.append(f"ARCHITECTURE.md: row '{folder}' names no folder under src/")
    for folder in folders:
        allowed = table.get(folder, set())
        for path in sorted((src / folder).glob("*.[ch]pp")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target, header = match.groups()
                where = f"src/{folder}/{path.name}:{number}"
                if target == folder or not (src / target).is_dir():
                    continue
                if target not in allowed:
                    problems.append(f"{where}: includes {target}/{header}, but {folder}/ may include only "
                                    f"{', '.join(sorted(allowed)) or 'nothing of agentdb'} (ARCHITECTURE.md)")
                elif target in FEATURES and folder not in FRONT_ENDS and header not in (f"{target}.hpp", "settings.hpp"):
                    problems.append(f"{where}: includes {target}/{header}; another feature is reached only "
                                    f"through its public header {target}/{target}.hpp")
        cmake = src / folder / "CMakeLists.txt"
        if cmake.exists():
            for number, line in enumerate(cmake.read_text().splitlines(), 1):
                if line.lstrip().startswith("#"):
                    continue
                for linked in LINK.findall(line):
                    if linked in (folder, "src", "flags") or linked not in table:
                        continue
                    if linked not in allowed:
                        problems.append(f"src/{folder}/CMakeLists.txt:{number}: links agentdb_{linked}, "
                                        f"which {folder}/ may not use (ARCHITECTURE.md)")
    for problem in problems:
        print(problem)
    print(f"{len(problems)} dependency problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
