using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Evaluation;

/// <summary>EvaluateSequenceQuantiles against a hand computation over the same numbers.</summary>
public sealed class QuantileMetricsTests
{
    private const int H = 2, Q = 3, O = 2;
    private static readonly double[] Levels = { 0.1, 0.5, 0.9 };

    public sealed class Row
    {
        [VectorType(H, O)]
        public float[] Label { get; set; } = new float[H * O];

        [VectorType(H, Q, O)]
        public float[] ScoreQuantiles { get; set; } = new float[H * Q * O];
    }

    private static Row[] Rows()
    {
        var random = new Random(5);
        return Enumerable.Range(0, 4).Select(_ =>
        {
            var row = new Row();
            for (int i = 0; i < H * O; i++)
                row.Label[i] = (float)Math.Round(random.NextDouble() * 6 - 3, 2);
            for (int h = 0; h < H; h++)
                for (int o = 0; o < O; o++)
                {
                    double center = Math.Round(random.NextDouble() * 4 - 2, 2), spread = Math.Round(random.NextDouble() * 2, 2);
                    row.ScoreQuantiles[(h * Q + 0) * O + o] = (float)(center - spread);
                    row.ScoreQuantiles[(h * Q + 1) * O + o] = (float)center;
                    row.ScoreQuantiles[(h * Q + 2) * O + o] = (float)(center + spread);
                }
            return row;
        }).ToArray();
    }

    [Fact]
    public void Pinball_coverage_width_and_weighted_interval_score_match_a_hand_computation()
    {
        Row[] rows = Rows();
        var ml = new MLContext(seed: 1);

        SequenceQuantileMetrics metrics = ml.Regression.EvaluateSequenceQuantiles(ml.Data.LoadFromEnumerable(rows), Levels);

        double[] pinball = new double[Q];
        double inside = 0, width = 0, wis = 0;
        int n = 0;
        foreach (Row row in rows)
            for (int h = 0; h < H; h++)
                for (int o = 0; o < O; o++)
                {
                    double y = row.Label[h * O + o];
                    double lo = row.ScoreQuantiles[(h * Q + 0) * O + o], med = row.ScoreQuantiles[(h * Q + 1) * O + o], hi = row.ScoreQuantiles[(h * Q + 2) * O + o];
                    double[] q = { lo, med, hi };
                    for (int k = 0; k < Q; k++)
                        pinball[k] += y >= q[k] ? Levels[k] * (y - q[k]) : (1 - Levels[k]) * (q[k] - y);
                    inside += lo <= y && y <= hi ? 1 : 0;
                    width += hi - lo;
                    // Bracher et al.: K = 1 interval (alpha = 0.2) plus the median, divided by K + 1/2.
                    double alpha = 0.2;
                    double intervalScore = (hi - lo) + (y < lo ? 2 / alpha * (lo - y) : 0) + (y > hi ? 2 / alpha * (y - hi) : 0);
                    wis += (0.5 * Math.Abs(y - med) + alpha / 2 * intervalScore) / 1.5;
                    n++;
                }

        Assert.Equal(rows.Length * H * O, metrics.ValueCount);
        Assert.Equal(Levels, metrics.Levels);
        for (int k = 0; k < Q; k++)
            Assert.Equal(pinball[k] / n, metrics.PinballLosses[k], 9);
        SequenceInterval interval = Assert.Single(metrics.Intervals);
        Assert.Equal((0.1, 0.9), (interval.LowerLevel, interval.UpperLevel));
        Assert.Equal(0.8, interval.NominalCoverage, 12);
        Assert.Equal(inside / n, interval.Coverage, 12);
        Assert.True(interval.Coverage is > 0 and < 1, "the data should have labels both inside and outside the interval");
        Assert.Equal(width / n, interval.MeanWidth, 9);
        Assert.Equal(wis / n, metrics.WeightedIntervalScore!.Value, 9);
        // For symmetric levels with the median, the WIS equals the pinball losses summed, over K + 1/2 (a known identity).
        Assert.Equal(pinball.Sum() / n / 1.5, metrics.WeightedIntervalScore.Value, 9);
    }

    [Fact]
    public void A_quantile_column_of_the_wrong_size_is_refused_naming_both_columns_and_the_row()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.Throws<ArgumentException>(() => ml.Regression.EvaluateSequenceQuantiles(ml.Data.LoadFromEnumerable(Rows()), new[] { 0.1, 0.9 }));
        Assert.Contains("Row 0", error.Message);
        Assert.Contains("'ScoreQuantiles'", error.Message);
        Assert.Contains("'Label'", error.Message);
    }
}
