using System;
using static MLNetSeq2Seq.OptionRules;

namespace MLNetSeq2Seq;

/// <summary>
/// How the learning rate moves during training (<see cref="Seq2SeqOptions.Schedule"/>): the schedule's kind and the
/// settings of each kind. The schedule steps once per optimizer step; settings of the other kinds are ignored. A new
/// instance holds the general defaults (one-cycle); <see cref="Seq2SeqForecastingOptions"/> sets reduce-on-plateau.
/// </summary>
public sealed class LearningRateScheduleOptions
{
    /// <summary>Which schedule. Default <see cref="LearningRateSchedule.OneCycle"/>
    /// (<see cref="LearningRateSchedule.ReduceOnPlateau"/> in <see cref="Seq2SeqForecastingOptions"/>).</summary>
    public LearningRateSchedule Kind { get; set; } = LearningRateSchedule.OneCycle;

    /// <summary>One-cycle: fraction of all optimizer steps spent rising to the peak, in (0, 1). Unit: fraction of the
    /// steps of MaxEpochs. Default 0.3.</summary>
    public double OneCyclePctStart { get; set; } = 0.3;

    /// <summary>One-cycle: the start rate is LearningRate / this, a finite factor ≥ 1 (no unit). Default 25.</summary>
    public double OneCycleDivFactor { get; set; } = 25;

    /// <summary>One-cycle: the final rate is the start rate / this, a finite factor ≥ 1 (no unit). Default 1e4.</summary>
    public double OneCycleFinalDivFactor { get; set; } = 1e4;

    /// <summary>Cosine with warm-up: fraction of all optimizer steps spent warming up, in [0, 1). Unit: fraction of
    /// the steps of MaxEpochs. Default 0.05.</summary>
    public double WarmupFraction { get; set; } = 0.05;

    /// <summary>Reduce-on-plateau: epochs without improvement of the validation loss (else the training loss) before
    /// the rate is cut, at least 1. Unit: epochs. Default 5 (2 in <see cref="Seq2SeqForecastingOptions"/>).</summary>
    public int PlateauPatience { get; set; } = 5;

    /// <summary>Reduce-on-plateau: the factor the rate is multiplied by at each cut, in (0, 1) (no unit). Default 0.5.</summary>
    public double PlateauFactor { get; set; } = 0.5;

    /// <summary>Checks every setting and throws <see cref="ArgumentOutOfRangeException"/> naming the first one out of
    /// range by its path, for example "Schedule.PlateauPatience". <see cref="Seq2SeqOptions.Validate"/> calls it.</summary>
    public void Validate()
    {
        RequireDefined(Kind, Path(nameof(Kind)));
        RequireRange(OneCyclePctStart, Path(nameof(OneCyclePctStart)), 0, 1, upperInclusive: false, lowerInclusive: false);
        RequireFiniteAtLeastOne(OneCycleDivFactor, Path(nameof(OneCycleDivFactor)));
        RequireFiniteAtLeastOne(OneCycleFinalDivFactor, Path(nameof(OneCycleFinalDivFactor)));
        RequireRange(WarmupFraction, Path(nameof(WarmupFraction)), 0, 1, upperInclusive: false);
        RequirePositive(PlateauPatience, Path(nameof(PlateauPatience)));
        RequireRange(PlateauFactor, Path(nameof(PlateauFactor)), 0, 1, upperInclusive: false, lowerInclusive: false);
    }

    /// <summary>A copy, so Fit's copy of the options shares nothing with the caller's.</summary>
    internal LearningRateScheduleOptions Clone() => (LearningRateScheduleOptions)MemberwiseClone();

    private static string Path(string setting) => nameof(Seq2SeqOptions.Schedule) + "." + setting;

    private static void RequireFiniteAtLeastOne(double value, string option)
    {
        if (!(value >= 1) || !double.IsFinite(value))
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be a finite number ≥ 1.");
    }
}
