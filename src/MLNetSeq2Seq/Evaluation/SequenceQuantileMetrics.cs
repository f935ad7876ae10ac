using System.Collections.Generic;

namespace MLNetSeq2Seq;

/// <summary>
/// How well quantile forecasts fit the labels (<c>mlContext.Regression.EvaluateSequenceQuantiles</c>), over every label
/// value of every row, in the column's units.
/// </summary>
public sealed class SequenceQuantileMetrics
{
    internal SequenceQuantileMetrics(double[] levels, double[] pinballLosses, SequenceInterval[] intervals, double? weightedIntervalScore, long valueCount)
    {
        Levels = levels;
        PinballLosses = pinballLosses;
        Intervals = intervals;
        WeightedIntervalScore = weightedIntervalScore;
        ValueCount = valueCount;
    }

    /// <summary>The quantile levels, increasing.</summary>
    public IReadOnlyList<double> Levels { get; }

    /// <summary>Mean pinball loss of each level, max(τ·(y − q), (τ − 1)·(y − q)), in the order of <see cref="Levels"/>.</summary>
    public IReadOnlyList<double> PinballLosses { get; }

    /// <summary>The central intervals: each level τ below 0.5 whose partner 1 − τ is also forecast, narrowest last.</summary>
    public IReadOnlyList<SequenceInterval> Intervals { get; }

    /// <summary>The weighted interval score (Bracher et al., 2021): (½·|y − median| + Σ over intervals of α/2 × interval
    /// score) / (interval count + ½), with α = 2τ of each interval's lower level and the interval score
    /// (u − l) + 2/α·(l − y)⁺ + 2/α·(y − u)⁺; without a 0.5 level the median term is left out and the sum is divided by the
    /// interval count. Averaged over every label value. Lower is better. Null when the levels hold neither 0.5 nor a
    /// central pair (τ, 1 − τ).</summary>
    public double? WeightedIntervalScore { get; }

    /// <summary>Label values evaluated (rows × Horizon × OutputFeatureCount).</summary>
    public long ValueCount { get; }
}
