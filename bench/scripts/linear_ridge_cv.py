"""The closed-form linear forecaster (subtract-last ridge, channel independent) under hv-block cross-validation on the
training windows, for a grid of lookbacks and ridge penalties: the NumPy re-implementation behind docs/benchmarks.md,
"What else was tried for the linear forecaster". Reads ../shared/data; prints, per horizon, the test MSE of the pair the
folds pick, of the whole window at its best penalty, and the per-fold paired difference between the two.

    /usr/bin/python3 bench/scripts/linear_ridge_cv.py etth2 720 90,180,360,720 96,192,336,720 0.001,0.01,0.1,0.3,1
    /usr/bin/python3 bench/scripts/linear_ridge_cv.py illness 104 13,26,52,104 24,36,48,60 0.001,0.01,0.1,0.3,1

Arguments: data (etth2 | illness), window length L, lookbacks, horizons, penalties (relative to mean diag XᵀX).
Splits: ETTh2's standard 12/4/4 months; national_illness 70/10/20. Train-only z-scores. Every test window.
"""
import csv
import os
import sys

import numpy as np

FOLDS = 10
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "shared", "data")


def load(name):
    path = os.path.join(DATA, "ETTh2.csv" if name == "etth2" else "national_illness.csv")
    if not os.path.exists(path):
        sys.exit("skipped: %s is not here (see ../shared/data/README.md)" % path)
    with open(path) as f:
        values = np.array([[float(v) for v in row[1:]] for row in list(csv.reader(f))[1:]])
    if name == "etth2":
        train, splits = 8640, [(11520, 14400)]
    else:
        n = len(values)
        train = int(n * 0.7)
        splits = [(n - int(n * 0.2), n)]
    z = (values - values[:train].mean(0)) / values[:train].std(0)
    return z, train, splits[0]


def design(z, window, horizon, starts):
    """Each column's window minus its last value (and a constant), and its labels minus that value."""
    steps = starts[:, None] + np.arange(-window, 0)[None, :]
    out = starts[:, None] + np.arange(horizon)[None, :]
    x = z[steps].transpose(0, 2, 1).reshape(-1, window)
    y = z[out].transpose(0, 2, 1).reshape(-1, horizon)
    last = x[:, -1:]
    return np.concatenate([x[:, :-1] - last, np.ones((len(x), 1))], 1), y - last


def solve(gram, cross, lookback, penalty):
    g, c = gram[-lookback:, -lookback:], cross[-lookback:]
    return np.linalg.solve(g + penalty * np.mean(np.diag(g)) * np.eye(lookback), c)


def main():
    name, window = sys.argv[1], int(sys.argv[2])
    lookbacks = [int(v) for v in sys.argv[3].split(",")]
    horizons = [int(v) for v in sys.argv[4].split(",")]
    penalties = [float(v) for v in sys.argv[5].split(",")]
    z, train, (test_start, test_end) = load(name)
    totals = {"picked": [], "whole": []}
    for horizon in horizons:
        starts = np.arange(window, train - horizon + 1)
        bounds = [(k * len(starts) // FOLDS, (k + 1) * len(starts) // FOLDS) for k in range(FOLDS)]
        folds = []
        for a, b in bounds:
            x, y = design(z, window, horizon, starts[a:b])
            folds.append((x.T @ x, x.T @ y, np.sum(y * y), y.size))
        gram, cross = sum(f[0] for f in folds), sum(f[1] for f in folds)
        test_x, test_y = design(z, window, horizon, np.arange(test_start, test_end - horizon + 1))
        scores = {}
        for lookback in lookbacks:
            for penalty in penalties:
                per_fold = []
                for k, (a, b) in enumerate(bounds):
                    # hv-block: leave out every fold within H - 1 windows of the held-out one.
                    near = [j for j, (c, d) in enumerate(bounds) if not (d + horizon - 1 <= a or c >= b + horizon - 1)]
                    w = solve(gram - sum(folds[j][0] for j in near), cross - sum(folds[j][1] for j in near), lookback, penalty)
                    g, c, yy, n = folds[k]
                    g, c = g[-lookback:, -lookback:], c[-lookback:]
                    per_fold.append((yy - 2 * np.sum(w * c) + np.sum(w * (g @ w))) / n)
                w = solve(gram, cross, lookback, penalty)
                test = np.mean((test_x[:, window - lookback:] @ w - test_y) ** 2)
                scores[(lookback, penalty)] = (np.array(per_fold), test)
        picked = min(scores, key=lambda key: scores[key][0].mean())
        whole = (window, min(penalties, key=lambda p: scores[(window, p)][0].mean()))
        difference = scores[whole][0] - scores[picked][0]
        print("H %d: picked (L %d, ridge %g) test %.4f | whole window (ridge %g) test %.4f | fold difference %.4f +- %.4f"
              % (horizon, picked[0], picked[1], scores[picked][1], whole[1], scores[whole][1],
                 difference.mean(), difference.std(ddof=1) / np.sqrt(FOLDS)), flush=True)
        totals["picked"].append(scores[picked][1])
        totals["whole"].append(scores[whole][1])
    for key, values in totals.items():
        print("%s: %s, mean %.4f" % (key, " / ".join("%.4f" % v for v in values), np.mean(values)))


if __name__ == "__main__":
    main()
