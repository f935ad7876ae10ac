using System;
using System.Collections.Generic;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Selection;

/// <summary>
/// Each validation window's mean loss under a candidate, in data order, and the one-standard-error comparison of two
/// candidates on the same windows. Overlapping windows are strongly correlated (at stride 1 a window and the next share
/// all but one target step), so the standard error of the mean difference is taken over block means: consecutive windows
/// in blocks of those that share label steps (⌈H / stride⌉, the caller's block length), the batch-means estimate for a
/// serially correlated sequence. Shorter blocks would share label steps with their neighbours and understate the error;
/// with fewer than <see cref="MinimumBlocks"/> blocks there is no estimate (the error is infinite), and the validation
/// windows cannot tell two candidates apart.
/// </summary>
internal static class WindowLosses
{
    /// <summary>The fewest blocks the standard error is estimated from.</summary>
    public const int MinimumBlocks = 4;

    /// <summary>Whether <paramref name="windows"/> validation windows hold enough blocks of <paramref name="blockLength"/>
    /// for a standard error (<see cref="MinimumBlocks"/> of them).</summary>
    public static bool CanEstimateError(int windows, int blockLength) => windows >= (long)MinimumBlocks * Math.Max(1, blockLength);

    /// <summary>Per-window mean loss (eval mode, no gradients), every row of <paramref name="rows"/> in data order; one
    /// device read at the end.</summary>
    public static double[] Of(SequenceNetwork network, ISequenceRows rows, int batchSize, PointLoss metric)
    {
        bool wasTraining = network.training;
        network.eval();
        try
        {
            var losses = new List<Tensor>();
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            foreach (var (batch, batchRows) in rows.InOrder(batchSize))
            {
                ReadOnlySpan<long> span = batchRows.Span;
                var (features, labels) = batch.Range((int)span[0], span.Length);
                // The baselines read the window only; the network gets the rows' known-future features when it takes them.
                Tensor? future = network.Architecture.FutureFeatureCount > 0 ? batch.FutureRange((int)span[0], span.Length) : null;
                Tensor prediction = network.Forward(features, lengths: batch.FeatureLengths(span), future: future);
                losses.Add(metric.MeanPerRow(prediction.to(ScalarType.Float64), labels.to(ScalarType.Float64)));
            }
            return losses.Count == 0 ? Array.Empty<double>() : torch.cat(losses, 0).cpu().data<double>().ToArray();
        }
        finally
        {
            network.train(wasTraining);
        }
    }

    /// <summary>The mean of (<paramref name="candidate"/> − <paramref name="reference"/>) per window and its standard
    /// error over the means of blocks of <paramref name="blockLength"/> windows (the last, partial block left out of the
    /// error); the error is infinite with fewer than <see cref="MinimumBlocks"/> blocks.</summary>
    public static (double Mean, double StandardError) Difference(double[] candidate, double[] reference, int blockLength)
    {
        int windows = candidate.Length;
        if (windows != reference.Length)
            throw new ArgumentException("The candidates were scored on different windows.", nameof(reference));
        double overall = 0;
        for (int i = 0; i < windows; i++)
            overall += candidate[i] - reference[i];
        if (!CanEstimateError(windows, blockLength))
            return (windows == 0 ? 0 : overall / windows, double.PositiveInfinity);
        blockLength = Math.Max(1, blockLength);
        int blocks = windows / blockLength;
        var means = new double[blocks];
        double total = 0;
        for (int b = 0; b < blocks; b++)
        {
            double sum = 0;
            for (int i = b * blockLength; i < (b + 1) * blockLength; i++)
                sum += candidate[i] - reference[i];
            means[b] = sum / blockLength;
            total += means[b];
        }
        double mean = total / blocks, squares = 0;
        foreach (double m in means)
            squares += (m - mean) * (m - mean);
        return (overall / windows, Math.Sqrt(squares / (blocks - 1) / blocks));
    }
}
