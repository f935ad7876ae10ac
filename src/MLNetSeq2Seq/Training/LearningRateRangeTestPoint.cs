namespace MLNetSeq2Seq;

/// <summary>One step of the learning-rate range test.</summary>
/// <param name="LearningRate">The rate of this step.</param>
/// <param name="Loss">The step's training loss (MSE of its batch) before the update.</param>
/// <param name="SmoothedLoss">Bias-corrected exponential moving average of the losses so far.</param>
public readonly record struct LearningRateRangeTestPoint(double LearningRate, double Loss, double SmoothedLoss);
