#!/usr/bin/env python3
"""Loads every SkyPilot task YAML under a directory with SkyPilot's own loader (offline).

Usage: scripts/load-skypilot.py DIR

Prints, per file, "file: name nodes=N resources=[infra accelerators, ...]"; on a file SkyPilot
refuses, its error, and exits 1.
"""
import glob
import os
import sys

import sky

failed = False
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml")))
for path in files:
    try:
        task = sky.Task.from_yaml(path)
        resources = ", ".join(
            f"{r.infra.to_str() if hasattr(r, 'infra') else r.cloud} {r.accelerators}" for r in task.resources
        )
        print(f"{os.path.basename(path)}: {task.name} nodes={task.num_nodes} resources=[{resources}]")
    except Exception as error:  # SkyPilot raises its own exception types
        failed = True
        print(f"{os.path.basename(path)}: refused: {type(error).__name__}: {error}")
if not files:
    print("no task files", file=sys.stderr)
sys.exit(1 if failed or not files else 0)
