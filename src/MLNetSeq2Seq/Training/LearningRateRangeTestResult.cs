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

    /// <summary>Where the smoothed loss falls fastest against log(learning rate), within its descent (Smith's rule).</summary>
    public double SteepestDescentLearningRate { get; }

    /// <summary>Halfway (in log scale) along the descent of the smoothed loss — from where it has fallen by a tenth of
    /// its total drop to its minimum: the idea of fastai's "valley", robust to a long flat start.</summary>
    public double ValleyLearningRate { get; }

    /// <summary>Why the sweep ended: the last rate reached, divergence, or a non-finite loss.</summary>
    public string StopReason { get; }
}
