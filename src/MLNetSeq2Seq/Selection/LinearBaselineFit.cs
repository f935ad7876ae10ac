using System;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Selection;

/// <summary>
/// The closed-form linear forecaster fitted on the training rows in one pass with bounded memory: for every row and
/// forecast column k (input column c = targets[k]), x = (input[t, c] − last[c]) for t &lt; L − 1 plus a constant 1, and
/// y = (label[h, k] − last[c]); XᵀX (L × L) and XᵀY (L × H) are summed batch by batch in float64. The forecaster over
/// the last L' ≤ L steps uses the trailing L' × L' block of those sums (its differences are the last L' − 1 of x, then
/// the constant), so one pass serves every lookback: W = (XᵀX + λ·mean(diag XᵀX)·I)⁻¹ XᵀY, shared by every column —
/// at L' = L the same forecaster as ForecastBaselines.
/// The sums are kept per fold of consecutive rows (<see cref="Folds"/> folds in data order), so the same pass also
/// cross-validates every lookback on the training rows (<see cref="CrossValidatedMse"/>) without a second read.
/// </summary>
internal sealed class LinearBaselineFit : IDisposable
{
    /// <summary>The ridge penalty λ, relative to the mean of XᵀX's diagonal: EvaluateSeq2SeqBaselines' default.</summary>
    public const double RidgePenalty = 1e-3;

    /// <summary>Folds of the cross-validation: consecutive blocks of the training rows in data order.</summary>
    public const int Folds = 10;

    /// <summary>The most memory the per-fold sums may take (K·L·(L + H) float64 values); beyond it there is one fold and
    /// no cross-validation.</summary>
    public const long MaxFoldSumBytes = 256L << 20;

    private readonly Tensor _gram;
    private readonly Tensor _cross;
    private readonly Fold[] _folds;
    private readonly int _horizon;

    private LinearBaselineFit(Fold[] folds, int horizon)
    {
        _folds = folds;
        _horizon = horizon;
        using var scope = torch.NewDisposeScope();
        Tensor gram = folds[0].Gram.clone(), cross = folds[0].Cross.clone();
        for (int k = 1; k < folds.Length; k++)
        {
            AddInPlace(gram, folds[k].Gram);
            AddInPlace(cross, folds[k].Cross);
        }
        _gram = gram.MoveToOuterDisposeScope();
        _cross = cross.MoveToOuterDisposeScope();
    }

    /// <summary>The window length the sums were taken over.</summary>
    public int InputLength => (int)_gram.shape[0];

    /// <summary>True when the rows were split into folds, so <see cref="CrossValidatedMse"/> has an answer.</summary>
    public bool CanCrossValidate => _folds.Length > 1;

    /// <summary>The sums over every training row; null when the rows are not all full length (the linear map needs one
    /// window length).</summary>
    public static LinearBaselineFit? Accumulate(ISequenceRows rows, int[] targets, int inputLength, int horizon, int batchSize)
    {
        int rowCount = rows.Count;
        long foldBytes = (long)Folds * inputLength * (inputLength + horizon) * sizeof(double);
        int foldCount = rowCount >= 2 * Folds && foldBytes <= MaxFoldSumBytes ? Folds : 1;
        var folds = new Fold[foldCount];
        for (int k = 0; k < foldCount; k++)
            folds[k] = new Fold(FirstRowOf(k, foldCount, rowCount), FirstRowOf(k + 1, foldCount, rowCount), inputLength, horizon);
        bool complete;
        try
        {
            complete = AddRows(rows, targets, batchSize, folds, rowCount);
        }
        catch
        {
            foreach (Fold fold in folds)
                fold.Dispose();
            throw;
        }
        if (!complete)
        {
            foreach (Fold fold in folds)
                fold.Dispose();
            return null;
        }
        return new LinearBaselineFit(folds, horizon);
    }

    // Adds every row to its fold's sums; false when a row is padded or masked.
    private static bool AddRows(ISequenceRows rows, int[] targets, int batchSize, Fold[] folds, int rowCount)
    {
        using var scope = torch.NewDisposeScope();
        Tensor targetIndex = torch.tensor(Array.ConvertAll(targets, t => (long)t));
        int seen = 0, outputs = targets.Length;
        foreach (var (batch, batchRows) in rows.InOrder(batchSize))
        {
            using var batchScope = torch.NewDisposeScope();
            ReadOnlySpan<long> span = batchRows.Span;
            if (batch.FeatureLengths(span) is not null || batch.LabelMask(span) is not null)
                return false;
            var (features, labels) = batch.Range((int)span[0], span.Length);
            var (x, y) = Design(features.cpu().to(ScalarType.Float64), labels.cpu().to(ScalarType.Float64), targetIndex);
            // The batch's rows seen .. seen + count − 1, split where a fold ends (x and y hold O design rows per row).
            for (int start = 0; start < span.Length;)
            {
                Fold fold = folds[FoldOf(seen + start, folds.Length, rowCount)];
                int count = Math.Min(span.Length - start, fold.EndRow - (seen + start));
                fold.Add(x.narrow(0, (long)start * outputs, (long)count * outputs), y.narrow(0, (long)start * outputs, (long)count * outputs));
                start += count;
            }
            seen += span.Length;
        }
        return true;
    }

    /// <summary>W as (L', H) float64 on the CPU for the last <paramref name="lookback"/> = L' steps: rows 0..L'−2 weigh
    /// the differences, row L'−1 is the constant's.</summary>
    public Tensor Solve(int lookback)
    {
        CheckLookback(lookback);
        return Solve(_gram, _cross, lookback);
    }

    /// <summary>
    /// The forecaster's mean squared error over the last <paramref name="lookback"/> steps under hv-block
    /// cross-validation on the training rows: each fold in turn is scored by the forecaster fitted on the other rows,
    /// less every fold within H − 1 rows of it (a window there shares label steps with the held-out ones). Overlapping
    /// windows make plain K-fold optimistic; the gap makes the held-out labels unseen, and scoring every training month
    /// (not just the validation months) is what makes the choice of lookback stable across seasons. Computed from the
    /// per-fold sums alone (‖Y − XW‖² = YᵀY − 2⟨W, XᵀY⟩ + ⟨W, XᵀXW⟩). Null when the rows were not split
    /// (<see cref="CanCrossValidate"/>) or no fold had rows left to fit on.
    /// </summary>
    public double? CrossValidatedMse(int lookback)
    {
        CheckLookback(lookback);
        if (!CanCrossValidate)
            return null;
        double squares = 0;
        long values = 0;
        int start = InputLength - lookback;
        for (int k = 0; k < _folds.Length; k++)
        {
            using var scope = torch.NewDisposeScope();
            Fold held = _folds[k];
            // Only the trailing L' × L' block of the sums is needed: copy and subtract that, not the whole window's.
            Tensor gram = Trailing(_gram, start).clone(), cross = _cross.narrow(0, start, lookback).clone();
            long fittedRows = _folds[^1].EndRow;
            foreach (Fold fold in _folds)
            {
                if (fold.EndRow + _horizon - 1 <= held.FirstRow || fold.FirstRow >= held.EndRow + _horizon - 1)
                    continue; // more than H − 1 rows away: no label step in common
                AddScaledInPlace(gram, Trailing(fold.Gram, start), -1);
                AddScaledInPlace(cross, fold.Cross.narrow(0, start, lookback), -1);
                fittedRows -= fold.EndRow - fold.FirstRow;
            }
            if (fittedRows < 1)
                continue;
            Tensor weights = Solve(gram, cross, lookback);
            Tensor heldGram = Trailing(held.Gram, start);
            Tensor heldCross = held.Cross.narrow(0, start, lookback);
            squares += held.LabelSquares - 2 * ReadDouble(weights.mul(heldCross).sum()) + ReadDouble(weights.mul(heldGram.matmul(weights)).sum());
            values += held.LabelValues;
        }
        return values == 0 ? null : squares / values;
    }

    public void Dispose()
    {
        _gram.Dispose();
        _cross.Dispose();
        foreach (Fold fold in _folds)
            fold.Dispose();
    }

    // The block of a window's Gram matrix from row and column `start` on: the last L' = L − start steps.
    private static Tensor Trailing(Tensor gram, int start) =>
        gram.narrow(0, start, gram.shape[0] - start).narrow(1, start, gram.shape[1] - start);

    private void CheckLookback(int lookback)
    {
        if (lookback < 1 || lookback > InputLength)
            throw new ArgumentOutOfRangeException(nameof(lookback), lookback, $"A lookback is between 1 and the window's {InputLength} steps.");
    }

    private static Tensor Solve(Tensor fullGram, Tensor fullCross, int lookback)
    {
        using var scope = torch.NewDisposeScope();
        int start = (int)fullGram.shape[0] - lookback;
        Tensor gram = Trailing(fullGram, start);
        Tensor cross = fullCross.narrow(0, start, lookback);
        double scale = ReadDouble(gram.diagonal().mean());
        Tensor regularized = Plus(gram, Times(torch.eye(lookback, dtype: ScalarType.Float64), RidgePenalty * (scale > 0 ? scale : 1)));
        return torch.linalg.solve(regularized, cross).MoveToOuterDisposeScope();
    }

    private static int FirstRowOf(int fold, int foldCount, int rowCount) => (int)((long)fold * rowCount / foldCount);

    private static int FoldOf(int row, int foldCount, int rowCount)
    {
        int fold = (int)((long)row * foldCount / rowCount);
        while (fold + 1 < foldCount && row >= FirstRowOf(fold + 1, foldCount, rowCount))
            fold++;
        while (row < FirstRowOf(fold, foldCount, rowCount))
            fold--;
        return fold;
    }

    // One fold's sums: XᵀX, XᵀY, ΣY² and the count of label values, over the rows FirstRow .. EndRow − 1 in data order.
    private sealed class Fold : IDisposable
    {
        public Fold(int firstRow, int endRow, int inputLength, int horizon)
        {
            FirstRow = firstRow;
            EndRow = endRow;
            Gram = torch.zeros(inputLength, inputLength, dtype: ScalarType.Float64);
            Cross = torch.zeros(inputLength, horizon, dtype: ScalarType.Float64);
        }

        public int FirstRow { get; }
        public int EndRow { get; }
        public Tensor Gram { get; }
        public Tensor Cross { get; }
        public double LabelSquares { get; private set; }
        public long LabelValues { get; private set; }

        public void Add(Tensor x, Tensor y)
        {
            AddInPlace(Gram, x.t().matmul(x));
            AddInPlace(Cross, x.t().matmul(y));
            LabelSquares += ReadDouble(y.mul(y).sum());
            LabelValues += y.numel();
        }

        public void Dispose()
        {
            Gram.Dispose();
            Cross.Dispose();
        }
    }
    // (rows·O, L) and (rows·O, H): each forecast column's window minus its last value, and its label minus that value.
    private static (Tensor X, Tensor Y) Design(Tensor features, Tensor labels, Tensor targets)
    {
        long rows = features.shape[0], steps = features.shape[1], outputs = targets.shape[0];
        Tensor columns = features.index_select(2, targets).permute(0, 2, 1);        // (rows, O, L)
        Tensor last = columns.narrow(2, steps - 1, 1);                                // (rows, O, 1)
        Tensor differences = columns.narrow(2, 0, steps - 1) - last;                  // (rows, O, L − 1)
        Tensor x = torch.cat(new[] { differences, torch.ones(rows, outputs, 1, dtype: ScalarType.Float64) }, dim: 2);
        Tensor y = labels.permute(0, 2, 1) - last;                                    // (rows, O, H)
        return (x.reshape(rows * outputs, steps), y.reshape(rows * outputs, labels.shape[1]));
    }
}
