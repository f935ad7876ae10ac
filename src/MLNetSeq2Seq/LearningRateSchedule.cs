namespace MLNetSeq2Seq;

/// <summary>How the learning rate moves during training (<see cref="LearningRateScheduleOptions.Kind"/>). Schedules step
/// once per optimizer step; their settings are the other members of <see cref="LearningRateScheduleOptions"/>.</summary>
public enum LearningRateSchedule
{
    /// <summary>
    /// Default. Leslie Smith's one-cycle policy: from LearningRate / OneCycleDivFactor up to LearningRate over the
    /// first OneCyclePctStart of all optimizer steps, then cosine-annealed down to
    /// LearningRate / (OneCycleDivFactor × OneCycleFinalDivFactor) at the last step of MaxEpochs.
    /// </summary>
    OneCycle,

    /// <summary>Linear warm-up from 0 over WarmupFraction of all steps, then cosine decay to 0 at the last step.</summary>
    CosineWithWarmup,

    /// <summary>LearningRate throughout.</summary>
    Constant,

    /// <summary>LearningRate, multiplied by PlateauFactor whenever the validation loss (else the training loss)
    /// has not improved for PlateauPatience epochs.</summary>
    ReduceOnPlateau,
}
