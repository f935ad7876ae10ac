using System;
using MLNetSeq2Seq.Native;
using static MLNetSeq2Seq.Native.TensorScalars;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// <see cref="Seq2SeqOptions.AmplitudeAugmentation"/>: each training window's target columns and its labels are stretched
/// about the window's last observed value of that column, x′ = last + s·(x − last), by one factor s per window drawn
/// log-uniformly from [1/k, k]. Under subtract-last normalisation the network then sees the same shapes at many
/// amplitudes, so its forecast learns to scale with the window's swing, as the linear forecaster's does. Other input
/// columns (covariates, calendar features) and known-future inputs are left as they are; padded steps of shorter rows
/// too. The factors come from a generator seeded by the run's seed and the micro-batch's place in the run
/// (<see cref="RandomSeeds.ForStep"/>), so a resumed run draws what the original would have; torch's global generator is
/// not touched.
/// </summary>
internal sealed class AmplitudeStretch
{
    private readonly double _logLimit;
    private readonly long[] _targetColumns;  // the input columns the outputs are read from (distinct)
    private readonly long[] _outputColumns;  // for each output feature, its input column

    private AmplitudeStretch(double limit, int[] targets)
    {
        _logLimit = Math.Log(limit);
        _outputColumns = Array.ConvertAll(targets, t => (long)t);
        _targetColumns = Array.ConvertAll(DistinctSorted(targets), t => (long)t);
    }

    /// <summary>The stretch for <paramref name="options"/>, or null when it is off (k = 1) or when the outputs' input
    /// columns are unknown (<paramref name="targetInputIndices"/> null; the caller says so in the log).</summary>
    public static AmplitudeStretch? For(Seq2SeqOptions options, int[]? targetInputIndices) =>
        options.AmplitudeAugmentation > 1 && targetInputIndices is { Length: > 0 } targets ? new AmplitudeStretch(options.AmplitudeAugmentation, targets) : null;

    /// <summary>The stretched features [B, T, F] and labels [B, H, O] (new tensors in the caller's scope); the
    /// factors are drawn from <paramref name="seed"/>. <paramref name="lengths"/>: each row's real steps, or null when
    /// every row fills the window.</summary>
    public (Tensor Features, Tensor Labels) Apply(Tensor features, Tensor labels, Tensor? lengths, long seed)
    {
        int rows = (int)features.shape[0];
        long steps = features.shape[1], columns = features.shape[2];
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var stretchMinusOne = new float[rows]; // s − 1 per window
        for (int i = 0; i < rows; i++)
            stretchMinusOne[i] = (float)(Math.Exp((2 * random.NextDouble() - 1) * _logLimit) - 1);
        var onTargets = new float[columns];
        foreach (long column in _targetColumns)
            onTargets[column] = 1;
        Device device = features.device;
        Tensor minusOne = torch.tensor(stretchMinusOne, device: device).reshape(rows, 1, 1);
        // The last real step of each row: the window's end, or step length − 1 of a shorter row.
        Tensor? realLengths = lengths?.to(ScalarType.Int64).to(device);
        Tensor lastIndex = realLengths is null
            ? Full(new long[] { rows, 1, columns }, steps - 1, ScalarType.Int64, device)
            : Minus(realLengths, 1L).reshape(rows, 1, 1).expand(rows, 1, columns);
        Tensor last = features.gather(1, lastIndex); // [B, 1, F]
        Tensor weight = minusOne * torch.tensor(onTargets, device: device).reshape(1, 1, columns).to(features.dtype); // s − 1 on target columns, 0 elsewhere
        if (realLengths is not null)
            weight = weight * Range(steps, device).reshape(1, -1).lt(realLengths.reshape(-1, 1)).unsqueeze(-1).to(features.dtype);
        Tensor stretchedFeatures = Plus(features, weight * (features - last));
        Tensor labelLast = last.index_select(2, torch.tensor(_outputColumns, device: device)).to(labels.dtype); // [B, 1, O]
        Tensor stretchedLabels = Plus(labels, minusOne.to(labels.dtype) * (labels - labelLast));
        return (stretchedFeatures, stretchedLabels);
    }

    private static int[] DistinctSorted(int[] values)
    {
        var copy = (int[])values.Clone();
        Array.Sort(copy);
        int count = 0;
        for (int i = 0; i < copy.Length; i++)
            if (i == 0 || copy[i] != copy[i - 1])
                copy[count++] = copy[i];
        return copy[..count];
    }
}
