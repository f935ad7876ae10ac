using System.Collections.Generic;

namespace MLNetSeq2Seq;

/// <summary>The curve of a learning-rate range test and the rates it suggests.</summary>
public sealed class LearningRateRangeTestResult
{
    internal LearningRateRangeTestResult(IReadOnlyList<LearningRateRangeTestPoint> curve, double steepest, double valley, string stopReason)
    {
        Curve = curve;
        SteepestDescentLearningRate = steepest;
        ValleyLearningRate = valley;
        StopReason = stopReason;
    }

    /// <summary>Learning rate, raw loss and smoothed loss of each step, in sweep order.</summary>
    public IReadOnlyList<LearningRateRangeTestPoint> Curve { get; }

    /// <summary>The suggestion: <see cref="ValleyLearningRate"/>.</summary>
    public double SuggestedLearningRate => ValleyLearningRate;

    /// <summary>How <see cref="SuggestedLearningRate"/> was chosen: "valley".</summary>
    public string SuggestionMethod => "valley";

    /// <summary>Where the smoothed loss falls fastest against log(learning rate), before its minimum (Smith's rule).</summary>
    public double SteepestDescentLearningRate { get; }

    /// <summary>Halfway along the longest stretch over which the smoothed loss keeps falling (fastai's "valley"):
    /// usually a little below the steepest point, and more robust to a noisy curve.</summary>
    public double ValleyLearningRate { get; }

    /// <summary>Why the sweep ended: the last rate reached, divergence, or a non-finite loss.</summary>
    public string StopReason { get; }
}
