using System;
using System.Collections.Generic;
using System.Linq;
using MLNetSeq2Seq.Selection;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Selection;

/// <summary>One pass over the rows serves every lookback: the forecaster over the last L' steps solved from the
/// trailing block of the full window's sums is the one fitted on the windows cut to their last L' steps.</summary>
public sealed class LinearBaselineFitTests
{
    [Theory]
    [InlineData(24)]
    [InlineData(12)]
    [InlineData(5)]
    [InlineData(2)]
    public void The_trailing_block_of_one_pass_gives_the_forecaster_fitted_on_the_cut_windows(int lookback)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        const int rows = 200, length = 24, horizon = 6, features = 3;
        var generator = new torch.Generator(9);
        // Random walks, so that the differences are correlated like a real series' and the fit is not degenerate.
        Tensor walks = torch.randn(new long[] { rows, length + horizon, features }, generator: generator).cumsum(1);
        Tensor inputs = walks[.., ..length, ..].contiguous(), labels = walks[.., length.., ..].index_select(2, torch.tensor(new long[] { 2, 0 })).contiguous();
        int[] targets = { 2, 0 };

        using var full = new SequenceDataset(inputs.clone(), labels.clone());
        using var cut = new SequenceDataset(inputs[.., (length - lookback).., ..].contiguous(), labels.clone());
        using LinearBaselineFit? fromFull = LinearBaselineFit.Accumulate(new InMemorySequenceRows(full), targets, length, horizon, batchSize: 64);
        using LinearBaselineFit? fromCut = LinearBaselineFit.Accumulate(new InMemorySequenceRows(cut), targets, lookback, horizon, batchSize: 64);

        Tensor expected = fromCut!.Solve(lookback), actual = fromFull!.Solve(lookback);
        Assert.Equal(new long[] { lookback, horizon }, actual.shape);
        double largest = expected.abs().max().ToDouble();
        Assert.True((expected - actual).abs().max().ToDouble() <= 1e-9 * Math.Max(1, largest), $"lookback {lookback}: the solutions differ");
    }

    [Fact]
    public void A_lookback_outside_the_window_is_refused()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using var data = new SequenceDataset(torch.randn(20, 8, 1), torch.randn(20, 2, 1));
        using LinearBaselineFit? fit = LinearBaselineFit.Accumulate(new InMemorySequenceRows(data), new[] { 0 }, 8, 2, batchSize: 8);

        Assert.Equal("lookback", Assert.Throws<ArgumentOutOfRangeException>(() => fit!.Solve(9)).ParamName);
        Assert.Equal("lookback", Assert.Throws<ArgumentOutOfRangeException>(() => fit!.Solve(0)).ParamName);
    }
}

/// <summary>Which linear forecaster stands for "linear" in the one-standard-error rule: the user's whole window unless a
/// shorter lookback beats it by more than one standard error of the per-window difference.</summary>
public sealed class LinearLookbackRuleTests
{
    private static (string Name, double[] Windows) Candidate(string name, Func<int, double> loss) =>
        (name, Enumerable.Range(0, 240).Select(loss).ToArray());

    private static double Noise(int window, int seed) => 0.2 * Math.Sin(window * 1.7 + seed) * Math.Cos(window * 0.31 * seed);

    [Theory]
    [InlineData(0.5, "linear, last 12 steps")]   // far better than the whole window: kept
    [InlineData(0.002, "linear")]                 // better on average, by much less than the noise: the whole window
    [InlineData(-0.3, "linear")]                  // worse: the whole window
    public void A_shorter_lookback_replaces_the_whole_window_only_when_better_by_more_than_one_standard_error(double advantage, string expected)
    {
        var losses = new List<(string Name, double[] Windows)>
        {
            Candidate(BaselineSelection.Persistence, w => 3 + Noise(w, 1)),
            Candidate("linear, last 12 steps", w => 1 - advantage + Noise(w, 2)),
            Candidate(BaselineSelection.Linear, w => 1 + Noise(w, 3)),
            Candidate(BaselineSelection.Network, w => 2 + Noise(w, 4)),
        };

        var chosen = BaselineSelection.LinearLookback(losses, correlatedWindows: 6).Single();

        Assert.Equal(expected, chosen.Name);
    }
}
