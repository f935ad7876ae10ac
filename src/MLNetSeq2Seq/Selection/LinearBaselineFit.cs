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
/// </summary>
internal sealed class LinearBaselineFit : IDisposable
{
    /// <summary>The ridge penalty λ, relative to the mean of XᵀX's diagonal: EvaluateSeq2SeqBaselines' default.</summary>
    public const double RidgePenalty = 1e-3;

    private readonly Tensor _gram;
    private readonly Tensor _cross;

    private LinearBaselineFit(Tensor gram, Tensor cross) => (_gram, _cross) = (gram, cross);

    /// <summary>The window length the sums were taken over.</summary>
    public int InputLength => (int)_gram.shape[0];

    /// <summary>The sums over every training row; null when the rows are not all full length (the linear map needs one
    /// window length).</summary>
    public static LinearBaselineFit? Accumulate(ISequenceRows rows, int[] targets, int inputLength, int horizon, int batchSize)
    {
        using var scope = torch.NewDisposeScope();
        Tensor gram = torch.zeros(inputLength, inputLength, dtype: ScalarType.Float64);
        Tensor cross = torch.zeros(inputLength, horizon, dtype: ScalarType.Float64);
        Tensor targetIndex = torch.tensor(Array.ConvertAll(targets, t => (long)t));
        foreach (var (batch, batchRows) in rows.InOrder(batchSize))
        {
            using var batchScope = torch.NewDisposeScope();
            ReadOnlySpan<long> span = batchRows.Span;
            if (batch.FeatureLengths(span) is not null || batch.LabelMask(span) is not null)
                return null;
            var (features, labels) = batch.Range((int)span[0], span.Length);
            var (x, y) = Design(features.cpu().to(ScalarType.Float64), labels.cpu().to(ScalarType.Float64), targetIndex);
            AddInPlace(gram, x.t().matmul(x));
            AddInPlace(cross, x.t().matmul(y));
        }
        return new LinearBaselineFit(gram.MoveToOuterDisposeScope(), cross.MoveToOuterDisposeScope());
    }

    /// <summary>W as (L', H) float64 on the CPU for the last <paramref name="lookback"/> = L' steps: rows 0..L'−2 weigh
    /// the differences, row L'−1 is the constant's.</summary>
    public Tensor Solve(int lookback)
    {
        if (lookback < 1 || lookback > InputLength)
            throw new ArgumentOutOfRangeException(nameof(lookback), lookback, $"A lookback is between 1 and the window's {InputLength} steps.");
        using var scope = torch.NewDisposeScope();
        int start = InputLength - lookback;
        Tensor gram = _gram.narrow(0, start, lookback).narrow(1, start, lookback);
        Tensor cross = _cross.narrow(0, start, lookback);
        double scale = ReadDouble(gram.diagonal().mean());
        Tensor regularized = Plus(gram, Times(torch.eye(lookback, dtype: ScalarType.Float64), RidgePenalty * (scale > 0 ? scale : 1)));
        return torch.linalg.solve(regularized, cross).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _gram.Dispose();
        _cross.Dispose();
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
