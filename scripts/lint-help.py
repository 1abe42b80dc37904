#!/usr/bin/env python3
"""Fails on a line of a command's help text (an abstract or discussion literal in
Sources/switchyard) wider than the 80 columns swift-argument-parser wraps at: a wrapped line
breaks a sentence mid-phrase, and an example mid-command, so it cannot be copied and run."""
import pathlib
import re
import sys

WIDTH = 79
failures = []
for path in sorted(pathlib.Path("Sources/switchyard").glob("*.swift")):
    lines = path.read_text().split("\n")
    i = 0
    while i < len(lines):
        if re.search(r'(discussion|abstract):\s*"""\s*$', lines[i]):
            j = i + 1
            while j < len(lines) and lines[j].strip() != '"""' and not lines[j].strip().startswith('"""'):
                j += 1
            indent = len(lines[j]) - len(lines[j].lstrip()) if j < len(lines) else 0
            for k in range(i + 1, j):
                text = lines[k][indent:]
                if text.endswith("\\"):
                    text = text[:-1]  # a line continuation: joined with the next, no wrap here
                    if not text.endswith("\\"):
                        continue
                width = len(text.replace("\\\\", "\\"))
                if width > WIDTH:
                    failures.append(f"{path}:{k + 1}: help line of {width} columns (at most {WIDTH})")
            i = j
        i += 1
for failure in failures:
    print(failure)
sys.exit(1 if failures else 0)
