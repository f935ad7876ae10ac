using System;
using System.Linq;
using MLNetSeq2Seq.Selection;
using Xunit;

namespace MLNetSeq2Seq.Tests.Selection;

/// <summary>The paired difference of two candidates' per-window losses and its standard error over block means.</summary>
public sealed class WindowLossesTests
{
    [Fact]
    public void The_error_is_the_standard_error_of_the_means_of_blocks_of_H_windows()
    {
        // 13 windows, blocks of 3 (the windows that share label steps): 1,2,3 | 0,0,0 | 2,2,2 | 4,5,6, and a partial
        // block (the 13th window) that counts in the mean but not in the error.
        double[] reference = Enumerable.Repeat(10.0, 13).ToArray();
        double[] difference = { 1, 2, 3, 0, 0, 0, 2, 2, 2, 4, 5, 6, 7 };
        double[] candidate = reference.Zip(difference, (r, d) => r + d).ToArray();

        var (mean, error) = WindowLosses.Difference(candidate, reference, 3);

        double[] blockMeans = { 2, 0, 2, 5 };
        double blockMean = blockMeans.Average();
        double expectedError = Math.Sqrt(blockMeans.Sum(m => (m - blockMean) * (m - blockMean)) / 3 / 4);
        Assert.Equal(difference.Average(), mean, 12);
        Assert.Equal(expectedError, error, 12);
    }

    [Fact]
    public void Fewer_than_four_blocks_of_H_windows_have_no_error()
    {
        // 95 windows of H = 24 (national_illness's validation weeks at H = 24 hold 74): three full blocks. Blocks shorter
        // than H would share label steps with their neighbours, so the windows cannot give an error.
        double[] reference = new double[95];
        double[] candidate = Enumerable.Range(0, 95).Select(i => (double)(i % 2)).ToArray();
        var (mean, error) = WindowLosses.Difference(candidate, reference, 24);
        Assert.Equal(candidate.Average(), mean, 12);
        Assert.True(double.IsPositiveInfinity(error));
        Assert.False(WindowLosses.CanEstimateError(95, 24));
        // One more window makes four blocks, and the error is finite.
        Assert.True(WindowLosses.CanEstimateError(96, 24));
        Assert.True(double.IsFinite(WindowLosses.Difference(candidate.Append(1).ToArray(), reference.Append(0).ToArray(), 24).StandardError));

        Assert.True(double.IsPositiveInfinity(WindowLosses.Difference(new[] { 1.0 }, new[] { 0.0 }, 3).StandardError));
        Assert.Throws<ArgumentException>(() => WindowLosses.Difference(new[] { 1.0, 2 }, new[] { 1.0 }, 3));
    }
}
