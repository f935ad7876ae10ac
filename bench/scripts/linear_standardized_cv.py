"""The closed-form linear forecaster with RevIN-style standardisation (RLinear's normalisation, solved in closed form)
against the subtract-last one (NLinear's; the product's), chosen by the same hv-block cross-validation on the training
windows: the NumPy check behind docs/benchmarks.md, "What else was tried for the linear forecaster".

Standardised: each window minus its mean, divided by its standard deviation (population, + 1e-5 under the root), a
constant column, and the forecast scaled back, ŷ = σ·(W f) + μ. Least squares in the data's units weighs each window's
rows by σ² (RLinear trains on the de-normalised loss); unweighted, the windows with the smallest spread dominate.

    /usr/bin/python3 bench/scripts/linear_standardized_cv.py etth2 720 96,192,336,720
    /usr/bin/python3 bench/scripts/linear_standardized_cv.py illness 104 24,36,48,60

Arguments: data (etth2 | illness), window length L, horizons. Candidates: subtract-last over L and its halvings down to 8
steps, and standardised over L. Prints, per horizon, the candidate the folds pick and its test MSE, and the cross-validated,
validation and test MSE of both kinds over the whole window. Splits: ETTh2's 12/4/4 months; national_illness 70/10/20.
"""
import csv, sys, numpy as np
FOLDS = 10; EPS = 1e-5; LAM = 1e-3
name, window = sys.argv[1], int(sys.argv[2]); horizons = [int(h) for h in sys.argv[3].split(',')]
import os
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'data')
path = os.path.join(DATA, 'ETTh2.csv' if name == 'etth2' else 'national_illness.csv')
if not os.path.exists(path):
    sys.exit('skipped: %s is not here (see ../shared/data/README.md)' % path)
values = np.array([[float(v) for v in row[1:]] for row in list(csv.reader(open(path)))[1:]])
if name == 'etth2':
    train, val, test = 8640, (8640, 11520), (11520, 14400)
else:
    n = len(values); train = int(n * 0.7); val = (train, n - int(n * 0.2)); test = (n - int(n * 0.2), n)
z = (values - values[:train].mean(0)) / values[:train].std(0)
def windows(L, H, starts):
    steps = starts[:, None] + np.arange(-L, 0)[None, :]
    out = starts[:, None] + np.arange(H)[None, :]
    return z[steps].transpose(0, 2, 1).reshape(-1, L), z[out].transpose(0, 2, 1).reshape(-1, H)
def design(x, y, kind, Lp):
    x = x[:, -Lp:]
    if kind == 'last':
        a = x[:, -1:]; s = np.ones_like(a); f = np.concatenate([x[:, :-1] - a, np.ones((len(x), 1))], 1)
    else:
        a = x.mean(1, keepdims=True); s = np.sqrt(x.var(1, keepdims=True) + EPS); f = np.concatenate([(x - a) / s, np.ones((len(x), 1))], 1)
    return f, (y - a) / s, s ** 2, a, s
def sums(f, t, w):
    fw = f * w
    return fw.T @ f, fw.T @ t, np.sum(w * t * t), t.size
def solve(g, c):
    return np.linalg.solve(g + LAM * np.mean(np.diag(g)) * np.eye(len(g)), c)
def lookbacks(L):
    out = [L]; s = L // 2
    while s >= 8: out.insert(0, s); s //= 2
    return out
for H in horizons:
    starts = np.arange(window, train - H + 1)
    bounds = [(k * len(starts) // FOLDS, (k + 1) * len(starts) // FOLDS) for k in range(FOLDS)]
    xs, ys = windows(window, H, starts)
    C = values.shape[1]
    cands = [('last', l) for l in lookbacks(window)] + [('std', window)]
    res = []
    for kind, Lp in cands:
        folds = []
        for a, b in bounds:
            f, t, w, _, _ = design(xs[a * C:b * C], ys[a * C:b * C], kind, Lp)
            folds.append(sums(f, t, w))
        G = sum(f[0] for f in folds); Cc = sum(f[1] for f in folds)
        sq = 0; n = 0
        for k, (a, b) in enumerate(bounds):
            near = [j for j, (c, d) in enumerate(bounds) if not (d + H - 1 <= a or c >= b + H - 1)]
            W = solve(G - sum(folds[j][0] for j in near), Cc - sum(folds[j][1] for j in near))
            g, c, yy, m = folds[k]
            sq += yy - 2 * np.sum(W * c) + np.sum(W * (g @ W)); n += m
        W = solve(G, Cc)
        def score(lo, hi):
            x, y = windows(window, H, np.arange(lo, hi - H + 1))
            f, t, w, a, s = design(x, y, kind, Lp)
            return np.mean(((f @ W) * s + a - y) ** 2)
        res.append((sq / n, kind, Lp, score(*val), score(*test)))
    best = min(res)
    whole_last = [r for r in res if r[1] == 'last' and r[2] == window][0]
    std = [r for r in res if r[1] == 'std'][0]
    bestlast = min(r for r in res if r[1] == 'last')
    print(name, window, H, 'CV pick %s %d: test %.4f | CV pick among last only: %s %d test %.4f | last whole cv %.4f test %.4f | std whole cv %.4f val %.4f test %.4f' % (best[1], best[2], best[4], bestlast[1], bestlast[2], bestlast[4], whole_last[0], whole_last[4], std[0], std[3], std[4]), flush=True)
