using System;

namespace MLNetSeq2Seq;

/// <summary>The checks every option group uses, each throwing the exception that names the option.</summary>
internal static class OptionRules
{
    public static void RequireName(string? value, string option)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"{option} must name a column.", option);
    }

    public static void RequirePositive(int? value, string option)
    {
        if (value is int v && v <= 0)
            throw new ArgumentOutOfRangeException(option, v, $"{option} must be at least 1 (it is {v}).");
    }

    public static void RequireFinitePositive(double value, string option)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be a finite number > 0 (it is {value}).");
    }

    public static void RequireRange(double value, string option, double low, double high, bool upperInclusive, bool lowerInclusive = true)
    {
        bool ok = double.IsFinite(value)
            && (lowerInclusive ? value >= low : value > low)
            && (upperInclusive ? value <= high : value < high);
        if (!ok)
            throw new ArgumentOutOfRangeException(option, value,
                $"{option} must be in {(lowerInclusive ? "[" : "(")}{low}, {high}{(upperInclusive ? "]" : ")")} (it is {value}).");
    }

    public static void RequireDefined<TEnum>(TEnum value, string option) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new ArgumentOutOfRangeException(option, value, $"{option} has no value {value}; use one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
    }

    /// <summary>The quantile levels and the point loss's weight (Seq2SeqOptions.Quantiles, PointLossWeight).</summary>
    public static void CheckQuantiles(double[]? quantiles, double pointLossWeight)
    {
        if (!(double.IsFinite(pointLossWeight) && pointLossWeight >= 0))
            throw new ArgumentOutOfRangeException(nameof(Seq2SeqOptions.PointLossWeight), pointLossWeight, $"PointLossWeight must be a finite number ≥ 0 (it is {pointLossWeight}).");
        if (quantiles is not { } levels)
            return;
        if (levels.Length == 0 || levels.Length > Seq2SeqOptions.MaxQuantileCount)
            throw new ArgumentException($"Quantiles holds {levels.Length} levels; give 1 to {Seq2SeqOptions.MaxQuantileCount} levels in (0, 1), or null for point forecasts only.", nameof(Seq2SeqOptions.Quantiles));
        for (int k = 0; k < levels.Length; k++)
        {
            if (!(levels[k] > 0 && levels[k] < 1))
                throw new ArgumentOutOfRangeException(nameof(Seq2SeqOptions.Quantiles), levels[k], $"Quantiles[{k}] = {levels[k]} is not inside (0, 1).");
            if (k > 0 && !(levels[k] > levels[k - 1]))
                throw new ArgumentException($"Quantiles must be strictly increasing, but Quantiles[{k}] = {levels[k]} follows {levels[k - 1]}.", nameof(Seq2SeqOptions.Quantiles));
        }
        if (pointLossWeight == 0 && Array.IndexOf(levels, 0.5) < 0)
            throw new ArgumentException($"PointLossWeight = 0 trains the point forecast as the median, so Quantiles must contain 0.5 (it holds {string.Join(", ", levels)}).", nameof(Seq2SeqOptions.Quantiles));
    }
}
