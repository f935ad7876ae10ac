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
}
