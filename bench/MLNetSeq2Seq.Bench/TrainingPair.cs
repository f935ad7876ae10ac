namespace MLNetSeq2Seq.Bench;

/// <summary>One alternated pair of the training comparison: a component epoch and a raw-loop epoch on the same
/// workload, initial weights and row order.</summary>
internal sealed record TrainingPair(
    int Round,
    bool ComponentFirst,
    double ComponentEpochSeconds,
    double ComponentFitSeconds,
    double ComponentCpuSeconds,
    double ComponentLoss,
    double RawEpochSeconds,
    double RawCpuSeconds,
    double RawLoss)
{
    /// <summary>Figure 1: component epoch time ÷ raw epoch time (wall clock).</summary>
    public double EpochRatio => ComponentEpochSeconds / RawEpochSeconds;

    /// <summary>Figure 1, CPU time: component (Fit start → end of epoch 1) ÷ raw (model construction → end of epoch 1).</summary>
    public double CpuRatio => ComponentCpuSeconds / RawCpuSeconds;

    /// <summary>Figure 2: Fit time outside the epoch (IDataView → tensors, model set-up) ÷ the epoch.</summary>
    public double PreparationShare => (ComponentFitSeconds - ComponentEpochSeconds) / ComponentEpochSeconds;

    /// <summary>Both sides computed the same thing: equal first-epoch losses (relative difference).</summary>
    public double LossRelativeDifference => System.Math.Abs(ComponentLoss - RawLoss) / System.Math.Abs(RawLoss);
}
