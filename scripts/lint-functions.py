#!/usr/bin/env python3
"""Fails on a function, initialiser or accessor in Sources/ longer than the limit (120 lines).

A function that long has grown sections that want names of their own (STYLE.md: "a function
reads as its steps"). The ranges come from the Swift compiler's own parser (`swiftc
-dump-parse`, no type-checking, well under a second per module), so strings, comments and
closures are measured exactly as the compiler reads them. A function's length runs from its
`func` line to its closing brace; closures inside it count as part of it.

Usage: scripts/lint-functions.py [--limit N] [--report M]
  --report M also lists, without failing, every function over M lines.
"""
import argparse
import collections
import pathlib
import re
import subprocess
import sys

DECL = re.compile(
    r"\((func_decl|constructor_decl|destructor_decl|accessor_decl)\b.*?"
    r"range=\[([^\]]+?):(\d+):\d+ - line:(\d+):\d+\]\s*(\"[^\"]*\"|<anonymous[^>]*>)?(.*)$"
)


def functions(files):
    """(path, first line, last line, name) of every declaration with a body in `files`."""
    result = subprocess.run(
        ["swiftc", "-dump-parse", *files], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit("swiftc -dump-parse failed:\n" + result.stderr[-4000:])
    # The dump is written to standard error.
    for line in (result.stdout + result.stderr).splitlines():
        match = DECL.search(line)
        if not match:
            continue
        kind, path, first, last, name, rest = match.groups()
        if kind == "accessor_decl":
            accessor = re.search(r'(get|set|_modify|_read|didSet|willSet) for="([^"]*)"', rest or "")
            name = f"{accessor.group(2)}.{accessor.group(1)}" if accessor else "accessor"
        elif kind == "constructor_decl":
            name = (name or "init").strip('"')
        else:
            name = (name or "?").strip('"')
        yield path, int(first), int(last), name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=120)
    parser.add_argument("--report", type=int, default=None)
    args = parser.parse_args()
    modules = collections.defaultdict(list)
    for path in sorted(pathlib.Path("Sources").rglob("*.swift")):
        modules[path.parts[1]].append(str(path))
    too_long, long = [], []
    for module in sorted(modules):
        for path, first, last, name in functions(modules[module]):
            length = last - first + 1
            if length > args.limit:
                too_long.append((length, path, first, name))
            elif args.report is not None and length > args.report:
                long.append((length, path, first, name))
    for length, path, first, name in sorted(long, reverse=True):
        print(f"{path}:{first}: {name} is {length} lines (over {args.report})")
    for length, path, first, name in sorted(too_long, reverse=True):
        print(f"{path}:{first}: error: {name} is {length} lines; the limit is {args.limit}: "
              "name its steps as functions of their own")
    if too_long:
        sys.exit(1)


if __name__ == "__main__":
    main()
