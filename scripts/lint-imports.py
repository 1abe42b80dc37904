#!/usr/bin/env python3
"""Fails when a target imports a module it does not declare in Package.swift.

SwiftPM lets a target import any module built before it, so an undeclared import compiles
until the build order changes (or another product is built alone). This reads the manifest
(`swift package dump-package`, with the benchmarks on) and every target's Swift files, and
names each `import X` whose X is neither a declared dependency of that target nor a module
of the toolchain. A target importing itself is refused too.

Usage: python3 scripts/lint-imports.py   (exit 1 and one line per offence when any)
"""

import json
import os
import re
import subprocess
import sys

# Modules of the toolchain and the platform, importable without a declaration.
TOOLCHAIN = {
    "Foundation", "FoundationEssentials", "FoundationNetworking", "FoundationXML", "Dispatch",
    "Glibc", "Darwin", "Musl", "XCTest", "Testing", "Synchronization", "_Concurrency",
    "Observation", "RegexBuilder", "os", "CoreFoundation", "Distributed", "_StringProcessing",
    "PackageDescription",
}

IMPORT = re.compile(
    r"^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?"
    r"([A-Za-z_][A-Za-z0-9_]*)"
)


def manifest():
    env = dict(os.environ, SWITCHYARD_BENCHMARKS="1")
    out = subprocess.run(
        ["swift", "package", "dump-package"], check=True, capture_output=True, text=True, env=env
    ).stdout
    return json.loads(out)


def declared(target):
    names = set()
    for dep in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in dep:
                names.add(dep[kind][0])
    return names


def source_dir(target):
    if target.get("path"):
        return target["path"]
    base = "Tests" if target["type"] == "test" else "Sources"
    return os.path.join(base, target["name"])


def main():
    package = manifest()
    offences = []
    for target in sorted(package["targets"], key=lambda t: t["name"]):
        if target["type"] == "system":
            continue
        allowed = declared(target) | TOOLCHAIN
        root = source_dir(target)
        for folder, _, files in sorted(os.walk(root)):
            for name in sorted(files):
                if not name.endswith(".swift"):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        match = IMPORT.match(line)
                        if not match:
                            continue
                        module = match.group(1)
                        if module == target["name"]:
                            offences.append(f"{path}:{number}: {target['name']} imports itself")
                        elif module not in allowed:
                            offences.append(
                                f"{path}:{number}: {target['name']} imports {module}, "
                                "which Package.swift does not declare as its dependency"
                            )
    for offence in offences:
        print(offence)
    if offences:
        print(f"{len(offences)} undeclared import(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
