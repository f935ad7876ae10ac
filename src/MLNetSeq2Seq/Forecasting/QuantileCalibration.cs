using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Forecasting;

/// <summary>
/// Split-conformal calibration of a quantile model's central intervals (<see cref="QuantileOptions.Calibrate"/>):
/// for each pair of levels (τ, 1 − τ), each horizon step and each output column, an offset c that moves the lower level
/// down and the upper level up by c (in by −c when c is negative). c is the ⌈(n + 1)(1 − 2τ)⌉-th smallest nonconformity
/// score max(lower − y, y − upper) over the n calibration windows whose label at that step is real and finite (the
/// largest score when that rank passes n; 0 when n = 0). Values are in the network's output units (z-scores for window
/// views). After the offsets, levels below 0.5 are clamped to a running minimum going down from the point forecast and
/// levels above 0.5 to a running maximum going up, so the levels still never cross and never pass the point forecast
/// (the anchor the quantile head builds them around). The point forecast and unpaired levels are unchanged. Only the
/// scores are kept, within a fixed memory bound (<see cref="ConformalScoreSample"/>): every window up to its capacity,
/// a uniform sample of that many beyond, in memory and streamed alike.
/// </summary>
internal sealed class QuantileCalibration
{
    private readonly double[] _levels;
    private readonly (int Lower, int Upper)[] _pairs;
    private readonly float[] _offsets; // [pair, step, output]
    private readonly int _levelsBelowHalf;      // levels < 0.5 come first
    private readonly int _firstLevelAboveHalf;  // levels > 0.5 from here on

    internal QuantileCalibration(double[] levels, int horizon, int outputFeatureCount, float[] offsets, int windowCount)
    {
        _levels = levels;
        _pairs = CentralPairs(levels);
        Horizon = horizon;
        OutputFeatureCount = outputFeatureCount;
        if (_pairs.Length == 0 || offsets.Length != _pairs.Length * horizon * outputFeatureCount)
            throw new InvalidDataException($"a quantile calibration needs central pairs of levels and pairs × Horizon × OutputFeatureCount offsets ({_pairs.Length} × {horizon} × {outputFeatureCount}); it holds {offsets.Length}");
        if (offsets.Any(o => !float.IsFinite(o)))
            throw new InvalidDataException("a quantile calibration offset is not finite");
        _offsets = offsets;
        WindowCount = windowCount;
        _levelsBelowHalf = levels.Count(l => l < 0.5);
        _firstLevelAboveHalf = levels.Length - levels.Count(l => l > 0.5);
    }

    public int Horizon { get; }

    public int OutputFeatureCount { get; }

    /// <summary>Calibration windows the offsets came from.</summary>
    public int WindowCount { get; }

    /// <summary>The offsets, [pair, step, output], pairs ordered from the outermost.</summary>
    public IReadOnlyList<float> Offsets => _offsets;

    /// <summary>The (lower, upper) level indices of every central interval (τ and 1 − τ both among the levels), outermost first.</summary>
    public static (int Lower, int Upper)[] CentralPairs(double[] levels)
    {
        var pairs = new List<(int, int)>();
        for (int k = 0; k < levels.Length && levels[k] < 0.5; k++)
        {
            int partner = Array.FindIndex(levels, l => Math.Abs(l - (1 - levels[k])) < 1e-9);
            if (partner > k)
                pairs.Add((k, partner));
        }
        return pairs.ToArray();
    }

    /// <summary>
    /// Offsets from calibration windows: each a label (H × O values, time-major; NaN for a missing value) and its quantiles
    /// ([H, Q, O], as the quantile column holds them), with its number of real label steps.
    /// </summary>
    public static QuantileCalibration Fit(double[] levels, int horizon, int outputFeatureCount,
        IEnumerable<(float[] Label, float[] Quantiles, int LabelSteps)> windows, int? capacity = null)
    {
        var sample = NewSample(levels, horizon, outputFeatureCount, capacity);
        (int Lower, int Upper)[] pairs = CentralPairs(levels);
        foreach (var (label, quantiles, labelSteps) in windows)
            sample.Add(Scores(pairs, levels.Length, horizon, outputFeatureCount, label, quantiles, labelSteps));
        return FromSample(levels, horizon, outputFeatureCount, sample);
    }

    private static ConformalScoreSample NewSample(double[] levels, int horizon, int outputFeatureCount, int? capacity)
    {
        (int Lower, int Upper)[] pairs = CentralPairs(levels);
        if (pairs.Length == 0)
            throw new ArgumentException($"Quantile calibration needs a central interval (levels τ and 1 − τ), but the levels are {string.Join(", ", levels)}.", nameof(levels));
        return new ConformalScoreSample(pairs.Length * horizon * outputFeatureCount, capacity);
    }

    // One window's score per [pair, step, output]: max(lower − y, y − upper); NaN where the label is missing or padded.
    private static float[] Scores((int Lower, int Upper)[] pairs, int q, int horizon, int outputFeatureCount, ReadOnlySpan<float> label, ReadOnlySpan<float> quantiles, int labelSteps)
    {
        int cells = horizon * outputFeatureCount;
        var scores = new float[pairs.Length * cells];
        Array.Fill(scores, float.NaN);
        for (int step = 0; step < Math.Min(labelSteps, horizon); step++)
        {
            for (int o = 0; o < outputFeatureCount; o++)
            {
                float y = label[step * outputFeatureCount + o];
                if (!float.IsFinite(y))
                    continue;
                for (int p = 0; p < pairs.Length; p++)
                {
                    float lower = quantiles[(step * q + pairs[p].Lower) * outputFeatureCount + o];
                    float upper = quantiles[(step * q + pairs[p].Upper) * outputFeatureCount + o];
                    scores[p * cells + step * outputFeatureCount + o] = Math.Max(lower - y, y - upper);
                }
            }
        }
        return scores;
    }

    private static QuantileCalibration FromSample(double[] levels, int horizon, int outputFeatureCount, ConformalScoreSample sample)
    {
        (int Lower, int Upper)[] pairs = CentralPairs(levels);
        int cells = horizon * outputFeatureCount;
        var offsets = new float[pairs.Length * cells];
        for (int p = 0; p < pairs.Length; p++)
        {
            double coverage = levels[pairs[p].Upper] - levels[pairs[p].Lower];
            for (int cell = 0; cell < cells; cell++)
                offsets[p * cells + cell] = ConformalQuantile(sample.Cell(p * cells + cell), coverage);
        }
        return new QuantileCalibration(levels, horizon, outputFeatureCount, offsets, sample.WindowsSeen);
    }

    /// <summary>Offsets from the network's quantiles (eval mode, no gradients) on <paramref name="data"/> (in memory or
    /// streamed), scored <paramref name="batchSize"/> rows at a time, with the rows' known-future features when they have them.</summary>
    public static QuantileCalibration FromNetwork(SequenceNetwork network, ISequenceRows data, int batchSize, int? capacity = null)
    {
        NetworkArchitecture a = network.Architecture;
        int horizon = a.Horizon, outputs = a.OutputFeatureCount, q = a.Quantiles.Length;
        ConformalScoreSample sample = NewSample(a.Quantiles, horizon, outputs, capacity);
        (int Lower, int Upper)[] pairs = CentralPairs(a.Quantiles);
        foreach (var (batch, batchRows) in data.InOrder(batchSize))
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            long[] rows = batchRows.ToArray();
            int start = (int)rows[0], count = rows.Length; // consecutive rows of the batch
            var (features, labels) = batch.Range(start, count);
            var (_, quantiles) = network.ForwardWithQuantiles(features, batch.FeatureLengths(rows), future: batch.FutureRange(start, count));
            if (quantiles is null)
                throw new InvalidOperationException("The network forecasts no quantiles.");
            // (N, H, O, Q) → [H, Q, O] per row, the quantile column's order.
            float[] quantileValues = quantiles.permute(0, 1, 3, 2).contiguous().cpu().data<float>().ToArray();
            float[] labelValues = labels.contiguous().cpu().data<float>().ToArray();
            int labelLength = horizon * outputs, quantileLength = labelLength * q;
            for (int i = 0; i < count; i++)
                sample.Add(Scores(pairs, q, horizon, outputs, labelValues.AsSpan(i * labelLength, labelLength), quantileValues.AsSpan(i * quantileLength, quantileLength),
                    batch.LabelSteps?[start + i] ?? horizon));
        }
        return FromSample(a.Quantiles, horizon, outputs, sample);
    }

    /// <summary>The ⌈(n + 1)·coverage⌉-th smallest score (the largest when that passes n); 0 without scores.</summary>
    internal static float ConformalQuantile(List<float> scores, double coverage)
    {
        if (scores.Count == 0)
            return 0;
        scores.Sort();
        // The tolerance keeps a product that should be whole (10 × (0.9 − 0.1)) from rounding up a rank.
        int rank = (int)Math.Min(scores.Count, Math.Ceiling((scores.Count + 1) * coverage - 1e-9));
        return scores[Math.Max(rank, 1) - 1];
    }

    /// <summary>Moves each central pair of one row's quantiles ([H, Q, O]) by its offsets, then keeps the levels
    /// ordered around the point forecast (H × O).</summary>
    public void Apply(ReadOnlySpan<float> point, Span<float> quantiles)
    {
        int q = _levels.Length, o = OutputFeatureCount, cells = Horizon * o;
        for (int p = 0; p < _pairs.Length; p++)
        {
            for (int step = 0; step < Horizon; step++)
            {
                for (int c = 0; c < o; c++)
                {
                    float offset = _offsets[p * cells + step * o + c];
                    quantiles[(step * q + _pairs[p].Lower) * o + c] -= offset;
                    quantiles[(step * q + _pairs[p].Upper) * o + c] += offset;
                }
            }
        }
        int below = _levelsBelowHalf, aboveFrom = _firstLevelAboveHalf; // fixed per model: counted once, not per row
        for (int step = 0; step < Horizon; step++)
        {
            for (int c = 0; c < o; c++)
            {
                float low = point[step * o + c], high = low;
                for (int k = below - 1; k >= 0; k--)
                    low = quantiles[(step * q + k) * o + c] = Math.Min(quantiles[(step * q + k) * o + c], low);
                for (int k = aboveFrom; k < q; k++)
                    high = quantiles[(step * q + k) * o + c] = Math.Max(quantiles[(step * q + k) * o + c], high);
            }
        }
    }

    // *** Binary format *** (inside the model's checked block, from model format 0x0001000A):
    //   int: window count; int: offset count (pairs × Horizon × OutputFeatureCount); that many floats, [pair, step, output].
    public void Write(BinaryWriter writer)
    {
        writer.Write(WindowCount);
        writer.Write(_offsets.Length);
        foreach (float offset in _offsets)
            writer.Write(offset);
    }

    public static QuantileCalibration Read(BinaryReader reader, double[] levels, int horizon, int outputFeatureCount)
    {
        int windowCount = reader.ReadInt32();
        int count = reader.ReadInt32();
        long expected = (long)CentralPairs(levels).Length * horizon * outputFeatureCount;
        if (windowCount < 0 || count != expected)
            throw new InvalidDataException($"the quantile calibration holds {count} offsets from {windowCount} windows, but the model's central intervals × Horizon × OutputFeatureCount = {expected}");
        BytesLeft.Require(reader, count, 4, "the quantile calibration");
        var offsets = new float[count];
        for (int i = 0; i < count; i++)
            offsets[i] = reader.ReadSingle();
        return new QuantileCalibration(levels, horizon, outputFeatureCount, offsets, windowCount);
    }
}
