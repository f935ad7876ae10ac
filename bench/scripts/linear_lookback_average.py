"""The closed-form linear forecaster averaged over lookbacks: for every subset of the window's halvings (L, L/2, ... down
to 8 steps), the forecast that averages each lookback's ridge solution (subtract-last, channel independent, penalty 1e-3
of the mean diagonal of XᵀX), scored by the same 10-fold hv-block cross-validation on the training windows as the
product's lookback choice, and on every test window. Reads ../shared/data; the NumPy check behind docs/benchmarks.md,
"What else was tried for the linear forecaster" (averaging lookbacks).

    /usr/bin/python3 bench/scripts/linear_lookback_average.py illness 104 24,36,48,60
    /usr/bin/python3 bench/scripts/linear_lookback_average.py etth2 720 96,192,336

Prints per horizon the test MSE of the whole window, of the single lookback the folds pick, of the average of every
lookback, of the two and three longest, and of the subset the folds pick.
"""
import itertools
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linear_ridge_cv as ridge  # noqa: E402  (the data split and design matrices)

PENALTY = 1e-3


def main():
    name, window = sys.argv[1], int(sys.argv[2])
    horizons = [int(v) for v in sys.argv[3].split(",")]
    lookbacks = []
    length = window
    while length >= 8:
        lookbacks.insert(0, length)
        length //= 2
    z, train, (test_start, test_end) = ridge.load(name)
    totals = {}
    for horizon in horizons:
        starts = np.arange(window, train - horizon + 1)
        bounds = [(k * len(starts) // ridge.FOLDS, (k + 1) * len(starts) // ridge.FOLDS) for k in range(ridge.FOLDS)]
        folds = []
        for a, b in bounds:
            x, y = ridge.design(z, window, horizon, starts[a:b])
            folds.append((x.T @ x, x.T @ y, np.sum(y * y), y.size))
        gram, cross = sum(f[0] for f in folds), sum(f[1] for f in folds)
        test_x, test_y = ridge.design(z, window, horizon, np.arange(test_start, test_end - horizon + 1))

        def weights(g, c):
            padded = {}
            for lookback in lookbacks:
                w = np.zeros((window, horizon))
                w[window - lookback:] = ridge.solve(g, c, lookback, PENALTY)
                padded[lookback] = w
            return padded

        held_out = []
        for a, b in bounds:
            near = [j for j, (c, d) in enumerate(bounds) if not (d + horizon - 1 <= a or c >= b + horizon - 1)]
            held_out.append(weights(gram - sum(folds[j][0] for j in near), cross - sum(folds[j][1] for j in near)))
        full = weights(gram, cross)
        cv, test = {}, {}
        for size in range(1, len(lookbacks) + 1):
            for subset in itertools.combinations(lookbacks, size):
                scores = []
                for k, (g, c, yy, n) in enumerate(folds):
                    w = sum(held_out[k][lb] for lb in subset) / len(subset)
                    scores.append((yy - 2 * np.sum(w * c) + np.sum(w * (g @ w))) / n)
                cv[subset] = np.mean(scores)
                w = sum(full[lb] for lb in subset) / len(subset)
                test[subset] = np.mean((test_x @ w - test_y) ** 2)
        single = min((s for s in cv if len(s) == 1), key=cv.get)
        picked = min(cv, key=cv.get)
        rows = [("whole window", (window,)), ("folds' lookback", single), ("average of all", tuple(lookbacks)),
                ("two longest", tuple(lookbacks[-2:])), ("three longest", tuple(lookbacks[-3:])), ("folds' subset", picked)]
        print("H %d: " % horizon + " | ".join("%s %s %.4f" % (label, s if label.startswith("folds") else "", test[s]) for label, s in rows), flush=True)
        for label, s in rows:
            totals.setdefault(label, []).append(test[s])
    for label, values in totals.items():
        print("%s: %s, mean %.4f" % (label, " / ".join("%.4f" % v for v in values), np.mean(values)))


if __name__ == "__main__":
    main()
