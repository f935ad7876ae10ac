using System;
using System.Linq;
using MLNetSeq2Seq.Forecasting;
using Xunit;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>Quantile calibration keeps its scores within a fixed bound: every window up to the capacity, then a uniform
/// sample of that many windows (issue: calibration held every validation window, also under streaming).</summary>
public sealed class ConformalScoreSampleTests
{
    [Fact]
    public void Every_window_is_held_up_to_the_capacity_and_no_more_beyond_it()
    {
        var sample = new ConformalScoreSample(cellsPerWindow: 3, capacity: 50);
        for (int i = 0; i < 50; i++)
            sample.Add(new float[] { i, -i, float.NaN });
        Assert.Equal(50, sample.WindowsHeld);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), sample.Cell(0));
        Assert.Empty(sample.Cell(2)); // missing labels are no scores

        for (int i = 50; i < 5000; i++)
            sample.Add(new float[] { i, -i, float.NaN });
        Assert.Equal(50, sample.WindowsHeld);
        Assert.Equal(5000, sample.WindowsSeen);
        Assert.Throws<ArgumentException>(() => sample.Add(new float[2]));
    }

    [Fact]
    public void Beyond_the_capacity_the_held_windows_are_a_uniform_sample_of_all_of_them()
    {
        const int windows = 20_000, capacity = 400;
        var sample = new ConformalScoreSample(cellsPerWindow: 1, capacity: capacity);
        for (int i = 0; i < windows; i++)
            sample.Add(new float[] { i });

        var held = sample.Cell(0);
        // A uniform sample of 400 indices from [0, 20000): mean 10000 ± 289 (one standard error), every fifth of the
        // range about 80 times. Keeping the first or the last windows would miss both by far.
        Assert.InRange(held.Average(), 10_000 - 5 * 289, 10_000 + 5 * 289);
        foreach (int fifth in Enumerable.Range(0, 5))
            Assert.InRange(held.Count(v => v >= fifth * 4000 && v < (fifth + 1) * 4000), 40, 120);
        Assert.Equal(capacity, held.Distinct().Count());
    }

    [Fact]
    public void The_default_capacity_bounds_the_stored_scores_to_32_MiB()
    {
        var wide = new ConformalScoreSample(cellsPerWindow: 96 * 7);
        Assert.Equal(ConformalScoreSample.MaxStoredScores / (96 * 7), wide.Capacity);
        Assert.True((long)wide.Capacity * 96 * 7 * sizeof(float) <= 32L << 20);
        Assert.Equal(1000, new ConformalScoreSample(cellsPerWindow: 1 << 20).Capacity); // never fewer than 1,000 windows
    }

    [Fact]
    public void Calibrating_past_the_capacity_uses_the_sample_and_stays_close_to_the_exact_offsets()
    {
        double[] levels = { 0.1, 0.5, 0.9 };
        var random = new Random(4);
        // One step, one column: the label is N(0, 1)-ish noise around a forecast whose 10–90 % band is [-1, 1].
        var windows = Enumerable.Range(0, 30_000).Select(_ =>
        {
            float y = (float)(random.NextDouble() * 4 - 2);
            return (new[] { y }, new[] { -1f, 0f, 1f }, 1);
        }).ToArray();

        QuantileCalibration exact = QuantileCalibration.Fit(levels, 1, 1, windows);
        QuantileCalibration sampled = QuantileCalibration.Fit(levels, 1, 1, windows, capacity: 2000);

        Assert.Equal(30_000, sampled.WindowCount);
        // Scores max(-1 - y, y - 1) for y uniform on [-2, 2]: the 80 % quantile is 0.6; a sample of 2,000 lands within ±0.05.
        Assert.InRange(exact.Offsets[0], 0.58f, 0.62f);
        Assert.InRange(sampled.Offsets[0], exact.Offsets[0] - 0.05f, exact.Offsets[0] + 0.05f);
    }
}
