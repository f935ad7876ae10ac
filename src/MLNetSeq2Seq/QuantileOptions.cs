using System;

namespace MLNetSeq2Seq;

/// <summary>
/// Quantile forecasts besides the point forecast (<see cref="Seq2SeqOptions.Quantiles"/>; null there: point forecasts
/// only). The model then writes a second output column, "{Score}Quantiles", of [Horizon, Levels, OutputFeatureCount]
/// values; the quantiles never cross (levels below 0.5 are the point forecast minus cumulative non-negative offsets,
/// levels above it plus such offsets, 0.5 the point forecast itself). Trained with the pinball loss averaged over the
/// levels, added to <see cref="PointLossWeight"/> × <see cref="Seq2SeqOptions.Loss"/>.
/// </summary>
public sealed class QuantileOptions
{
    /// <summary>The quantile levels to forecast: strictly increasing, each in (0, 1), 1 to
    /// <see cref="Seq2SeqOptions.MaxQuantileCount"/> (99) of them. Unit: probability. Default { 0.1, 0.5, 0.9 } (the median and an 80 % central interval).</summary>
    public double[] Levels { get; set; } = { 0.1, 0.5, 0.9 };

    /// <summary>The weight of <see cref="Seq2SeqOptions.Loss"/> in the training loss
    /// <c>PointLossWeight × Loss + mean over levels of the pinball loss</c> (both means over the real label values),
    /// finite, ≥ 0 (no unit). 0 trains the point forecast as the median, which then needs 0.5 among
    /// <see cref="Levels"/>. Default 1.</summary>
    public double PointLossWeight { get; set; } = 1.0;

    /// <summary>With validation data (<see cref="Seq2SeqOptions.ValidationSet"/> or
    /// <see cref="Seq2SeqOptions.ValidationFraction"/>): after training, calibrate each central interval (levels τ and
    /// 1 − τ) on the validation windows by split-conformal quantile regression, per output column and horizon step: the
    /// interval moves out (or in) on both sides by the ⌈(n + 1)(1 − 2τ)⌉-th smallest of max(lower − y, y − upper) over the
    /// n validation windows, so that its coverage on data like the validation windows is at least its nominal 1 − 2τ. The
    /// offsets are saved with the model and apply to the quantile column and the forecast engine's bounds; the point
    /// forecast and unpaired levels are unchanged, and the levels still never cross. Default true: intervals trained on
    /// the pinball loss alone carry no coverage guarantee and under-cover when the validation and test periods differ
    /// from the training period. Ignored without validation data (logged).</summary>
    public bool Calibrate { get; set; } = true;

    /// <summary>Checks every setting and throws <see cref="ArgumentOutOfRangeException"/> or
    /// <see cref="ArgumentException"/> naming the first one out of range by its path, for example "Quantiles.Levels".
    /// <see cref="Seq2SeqOptions.Validate"/> calls it.</summary>
    public void Validate()
    {
        string weight = Path(nameof(PointLossWeight)), option = Path(nameof(Levels));
        if (!(double.IsFinite(PointLossWeight) && PointLossWeight >= 0))
            throw new ArgumentOutOfRangeException(weight, PointLossWeight, $"{weight} must be a finite number ≥ 0 (it is {PointLossWeight}).");
        if (Levels is not { } levels || levels.Length == 0 || levels.Length > Seq2SeqOptions.MaxQuantileCount)
            throw new ArgumentException($"{option} holds {Levels?.Length ?? 0} levels; give 1 to {Seq2SeqOptions.MaxQuantileCount} levels in (0, 1), or set {nameof(Seq2SeqOptions.Quantiles)} = null for point forecasts only.", option);
        for (int k = 0; k < levels.Length; k++)
        {
            if (!(levels[k] > 0 && levels[k] < 1))
                throw new ArgumentOutOfRangeException(option, levels[k], $"{option}[{k}] = {levels[k]} is not inside (0, 1).");
            if (k > 0 && !(levels[k] > levels[k - 1]))
                throw new ArgumentException($"{option} must be strictly increasing, but {option}[{k}] = {levels[k]} follows {levels[k - 1]}.", option);
        }
        if (PointLossWeight == 0 && Array.IndexOf(levels, 0.5) < 0)
            throw new ArgumentException($"{weight} = 0 trains the point forecast as the median, so {option} must contain 0.5 (it holds {string.Join(", ", levels)}).", option);
    }

    /// <summary>A copy with its own <see cref="Levels"/> array, so Fit's copy of the options shares nothing with the caller's.</summary>
    internal QuantileOptions Clone()
    {
        var copy = (QuantileOptions)MemberwiseClone();
        copy.Levels = (double[])Levels?.Clone()!;
        return copy;
    }

    private static string Path(string setting) => nameof(Seq2SeqOptions.Quantiles) + "." + setting;
}
