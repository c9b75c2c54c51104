#!/usr/bin/env python3
"""Fails when a source file under src/ is over 400 lines or a function over 80 (lexers and parsers,
listed below, are allowed longer functions: a state machine reads best in one piece).

Usage: check_sizes.py SRC_DIR

A function is a top-level brace block (at namespace scope or in a class body) whose opening line
looks like a definition: it ends with ')' or a trailing qualifier before '{'. Lambdas and blocks
inside functions count towards their function.
"""
import pathlib
import re
import sys

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 80
LONG_FUNCTIONS_ALLOWED = {"util/sql_lexer.cpp", "core/toml.cpp"}

DEFINITION = re.compile(r"\)\s*(const|noexcept|override|final|->\s*[\w:<>,\s*&]+|\s)*(\{|:\s*\w.*)?\s*$")


def strip(line, in_comment):
    """The line without comments and string/char literals (so braces in them do not count)."""
    out = []
    i = 0
    while i < len(line):
        if in_comment:
            end = line.find("*/", i)
            if end < 0:
                return "".join(out), True
            i = end + 2
            in_comment = False
            continue
        c = line[i]
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            in_comment = True
            i += 2
            continue
        if c in "\"'":
            raw = c == '"' and i > 0 and line[i - 1] == "R"
            if raw:
                end = line.find(')"', i)
                i = len(line) if end < 0 else end + 2
                continue
            j = i + 1
            while j < len(line) and line[j] != c:
                j += 2 if line[j] == "\\" else 1
            i = j + 1
            out.append('""')
            continue
        out.append(c)
        i += 1
    return "".join(out), in_comment


def functions(path):
    """(name line, first line number, length) of each function-like top-level block."""
    depth = 0
    scopes = []  # for each open brace: "function", "scope" (namespace/class/extern), "other"
    in_comment = False
    header = ""
    found = []
    start = None
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        code, in_comment = strip(raw, in_comment)
        for ch in code:
            if ch == "{":
                inside_function = any(s == "function" for s in scopes)
                kind = "other"
                if not inside_function:
                    head = header.strip()
                    if re.search(r"\b(namespace|class|struct|union|enum)\b[^()]*$", head) or head.endswith("extern \"C\""):
                        kind = "scope"
                    elif ")" in head and not head.endswith("=") and not re.search(r"=\s*$", head):
                        kind = "function"
                        start = (number, head[-120:])
                scopes.append(kind)
                header = ""
            elif ch == "}":
                kind = scopes.pop() if scopes else "other"
                if kind == "function" and start:
                    found.append((start[1], start[0], number - start[0] + 1))
                    start = None
                header = ""
            elif ch == ";":
                if not any(s == "function" for s in scopes):
                    header = ""
            else:
                header += ch
        header += " "
    return found


def main():
    root = pathlib.Path(sys.argv[1])
    problems = []
    for path in sorted(root.rglob("*.[ch]pp")):
        rel = path.relative_to(root).as_posix()
        lines = len(path.read_text().splitlines())
        if lines > MAX_FILE_LINES:
            problems.append(f"{rel}: {lines} lines (at most {MAX_FILE_LINES}); split it by concern")
        if rel in LONG_FUNCTIONS_ALLOWED:
            continue
        for head, line, length in functions(path):
            if length > MAX_FUNCTION_LINES:
                name = re.sub(r"\s+", " ", head).strip()
                problems.append(f"{rel}:{line}: function of {length} lines (at most {MAX_FUNCTION_LINES}): {name[-70:]}")
    for problem in problems:
        print(problem)
    print(f"{len(problems)} over the limits")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
