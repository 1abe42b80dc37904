"""The allocation LP of `switchyard-bench allocate`, written with cvxpy, for a timing comparison.

Reads the problem the Swift benchmark exported (job types, pools, equal-share throughputs) and
solves the same two-stage max-min fairness LP: maximise the smallest throughput / (weight * E),
then, with that floor held, the total normalised throughput. Prints one JSON line with the
milliseconds spent building and solving (best of --repeats) and the floor found.
"""
import argparse
import json
import time

import cvxpy as cp
import numpy as np


def solve(problem, solver):
    pools = problem["pools"]
    classes = problem["classes"]
    T = np.array([c["throughput"] for c in classes])  # types x models
    runnable = T > 0
    counts = np.array([c["count"] * c["gang"] for c in classes], dtype=float)
    weights = np.array([c["weight"] for c in classes])
    share = np.array(problem["equalShare"])
    capacity = np.array([p["accelerators"] for p in pools], dtype=float)

    X = cp.Variable(T.shape, nonneg=True)
    z = cp.Variable()
    base = [X <= runnable.astype(float), cp.sum(X, axis=1) <= 1, counts @ X <= capacity]
    throughput = cp.sum(cp.multiply(T, X), axis=1)
    ok = share > 0
    first = cp.Problem(cp.Maximize(z), base + [throughput[ok] >= cp.multiply(weights[ok] * share[ok], z)])
    first.solve(solver=solver)
    floor = z.value * (1 - 1e-9)
    second = cp.Problem(
        cp.Maximize(cp.sum(cp.multiply(T[ok] / share[ok][:, None], X[ok]))),
        base + [throughput[ok] >= weights[ok] * share[ok] * floor],
    )
    second.solve(solver=solver)
    return floor


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("problem")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--solver", default="HIGHS")
    args = parser.parse_args()
    with open(args.problem) as f:
        problem = json.load(f)
    best = float("inf")
    floor = None
    for _ in range(args.repeats):
        start = time.perf_counter()
        floor = solve(problem, args.solver)
        best = min(best, (time.perf_counter() - start) * 1000)
    print(json.dumps({"ms": best, "floor": floor, "solver": args.solver}))


if __name__ == "__main__":
    main()
