#!/usr/bin/env python3
"""Loads every SkyPilot task YAML under one or more directories with SkyPilot's own loader (offline).

Usage: scripts/load-skypilot.py DIR [DIR ...]

Prints, per file, "file: name nodes=N resources=[infra accelerators, ...]" (with several
directories, "dir/file: ..."); on a file SkyPilot refuses, its error, and exits 1. Several
directories in one call import SkyPilot once (about 4 CPU-seconds) rather than once each.
"""
import glob
import os
import sys

import sky

failed = False
directories = sys.argv[1:]
files = [path for directory in directories for path in sorted(glob.glob(os.path.join(directory, "*.yaml")))]


def label(path):
    """The file's name, with its directory's when several were given."""
    name = os.path.basename(path)
    return f"{os.path.basename(os.path.dirname(path))}/{name}" if len(directories) > 1 else name


for path in files:
    try:
        task = sky.Task.from_yaml(path)
        resources = ", ".join(
            f"{r.infra.to_str() if hasattr(r, 'infra') else r.cloud} {r.accelerators}" for r in task.resources
        )
        print(f"{label(path)}: {task.name} nodes={task.num_nodes} resources=[{resources}]")
    except Exception as error:  # SkyPilot raises its own exception types
        failed = True
        print(f"{label(path)}: refused: {type(error).__name__}: {error}")
if not directories or not files:
    print("no task files", file=sys.stderr)
sys.exit(1 if failed or not files else 0)
