using System;
using System.Linq;
using MLNetSeq2Seq.Selection;
using Xunit;

namespace MLNetSeq2Seq.Tests.Selection;

/// <summary>The paired difference of two candidates' per-window losses and its standard error over block means.</summary>
public sealed class WindowLossesTests
{
    [Fact]
    public void The_error_is_the_standard_error_of_the_block_means_of_the_difference()
    {
        // 12 windows, horizon 3: blocks of min(3, 12 / 4) = 3 windows; differences 1,2,3 | 0,0,0 | 2,2,2 | 4,5,6.
        double[] reference = Enumerable.Repeat(10.0, 12).ToArray();
        double[] difference = { 1, 2, 3, 0, 0, 0, 2, 2, 2, 4, 5, 6 };
        double[] candidate = reference.Zip(difference, (r, d) => r + d).ToArray();

        var (mean, error) = WindowLosses.Difference(candidate, reference, horizon: 3);

        double[] blockMeans = { 2, 0, 2, 5 };
        double blockMean = blockMeans.Average();
        double expectedError = Math.Sqrt(blockMeans.Sum(m => (m - blockMean) * (m - blockMean)) / 3 / 4);
        Assert.Equal(difference.Average(), mean, 12);
        Assert.Equal(expectedError, error, 12);
    }

    [Fact]
    public void Blocks_shrink_to_keep_four_of_them_and_one_window_has_no_error()
    {
        // 8 windows with horizon 24: blocks of 2, so four block means 0, 1, 0, 1.
        double[] reference = new double[8];
        double[] candidate = { 0, 0, 1, 1, 0, 0, 1, 1 };
        var (mean, error) = WindowLosses.Difference(candidate, reference, horizon: 24);
        Assert.Equal(0.5, mean, 12);
        Assert.Equal(Math.Sqrt(4 * 0.25 / 3 / 4), error, 12);

        Assert.True(double.IsPositiveInfinity(WindowLosses.Difference(new[] { 1.0 }, new[] { 0.0 }, horizon: 3).StandardError));
        Assert.Throws<ArgumentException>(() => WindowLosses.Difference(new[] { 1.0, 2 }, new[] { 1.0 }, horizon: 3));
    }
}
