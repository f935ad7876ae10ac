using System;

namespace MLNetSeq2Seq;

/// <summary>Settings of the learning-rate range test (Smith, 2015/2017). Defaults follow common practice.</summary>
public sealed class LearningRateRangeTestOptions
{
    /// <summary>First learning rate of the sweep. Default 1e-7.</summary>
    public double StartLearningRate { get; set; } = 1e-7;

    /// <summary>Last learning rate of the sweep. Default 10.</summary>
    public double EndLearningRate { get; set; } = 10;

    /// <summary>Optimizer steps in the sweep; rates are spaced exponentially. Default 100.</summary>
    public int StepCount { get; set; } = 100;

    /// <summary>The sweep stops once the smoothed loss exceeds this multiple of its best. Default 4.</summary>
    public double DivergenceFactor { get; set; } = 4;

    /// <summary>Exponential smoothing of the loss curve, in [0, 1): 0 = none. Default 0.98 (bias-corrected).</summary>
    public double Smoothing { get; set; } = 0.98;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(StartLearningRate > 0) || !double.IsFinite(StartLearningRate))
            throw new ArgumentOutOfRangeException(nameof(StartLearningRate), StartLearningRate, "StartLearningRate must be a finite number > 0.");
        if (!(EndLearningRate > StartLearningRate) || !double.IsFinite(EndLearningRate))
            throw new ArgumentOutOfRangeException(nameof(EndLearningRate), EndLearningRate, "EndLearningRate must be finite and greater than StartLearningRate.");
        if (StepCount < 5)
            throw new ArgumentOutOfRangeException(nameof(StepCount), StepCount, "StepCount must be at least 5.");
        if (!(DivergenceFactor > 1) || !double.IsFinite(DivergenceFactor))
            throw new ArgumentOutOfRangeException(nameof(DivergenceFactor), DivergenceFactor, "DivergenceFactor must be a finite number > 1.");
        if (!(Smoothing >= 0 && Smoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(Smoothing), Smoothing, "Smoothing must be in [0, 1).");
    }
}
