using System;
using static MLNetSeq2Seq.OptionRules;

namespace MLNetSeq2Seq;

/// <summary>
/// When training stops early and which epoch is kept (<see cref="Seq2SeqOptions.EarlyStopping"/>). It needs validation
/// data (<see cref="Seq2SeqOptions.ValidationSet"/> or <see cref="Seq2SeqOptions.ValidationFraction"/>); without it every
/// epoch up to MaxEpochs runs and the last one is kept. A new instance holds the general defaults.
/// </summary>
public sealed class EarlyStoppingOptions
{
    /// <summary>Stop after this many epochs without a validation improvement, at least 1; the model keeps the best
    /// epoch's weights. Unit: epochs. Default 10 (4 in <see cref="Seq2SeqForecastingOptions"/>).</summary>
    public int Patience { get; set; } = 10;

    /// <summary>An improvement must lower the validation metric (<see cref="Metric"/>) by more than this, a finite
    /// number ≥ 0. Unit: the metric's (absolute, not relative). Default 0.</summary>
    public double MinDelta { get; set; }

    /// <summary>What the validation data is scored with after each epoch, for early stopping, the best-epoch choice,
    /// reduce-on-plateau and the baseline comparison (logged with each epoch). Default
    /// <see cref="LossFunction.MeanSquaredError"/> (also in <see cref="Seq2SeqForecastingOptions"/>).</summary>
    public LossFunction Metric { get; set; } = LossFunction.MeanSquaredError;

    /// <summary>Checks every setting and throws <see cref="ArgumentOutOfRangeException"/> naming the first one out of
    /// range by its path, for example "EarlyStopping.Patience". <see cref="Seq2SeqOptions.Validate"/> calls it.</summary>
    public void Validate()
    {
        RequireDefined(Metric, Path(nameof(Metric)));
        RequirePositive(Patience, Path(nameof(Patience)));
        if (!double.IsFinite(MinDelta) || MinDelta < 0)
            throw new ArgumentOutOfRangeException(Path(nameof(MinDelta)), MinDelta, $"{Path(nameof(MinDelta))} must be a finite number ≥ 0.");
    }

    /// <summary>A copy, so Fit's copy of the options shares nothing with the caller's.</summary>
    internal EarlyStoppingOptions Clone() => (EarlyStoppingOptions)MemberwiseClone();

    private static string Path(string setting) => nameof(Seq2SeqOptions.EarlyStopping) + "." + setting;
}
