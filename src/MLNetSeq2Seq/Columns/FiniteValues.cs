using System;
using System.Globalization;

namespace MLNetSeq2Seq.Columns;

/// <summary>
/// The one check that values read from the data are finite, for every entry point: Fit and the learning-rate range
/// test (features and labels), Transform and prediction engines (features), EvaluateSequence (labels and scores) and
/// CreateSequenceWindows (series values). The error is an <see cref="InvalidOperationException"/> (the schema was
/// fine, a row was not) worded the same everywhere: "[where: ]{Role} column '{name}' row {row} holds {value}[ at index
/// {i} (time step {t}, feature {f})]; {what to do}". Rows count from 0.
/// </summary>
internal static class FiniteValues
{
    /// <summary>The index of the first NaN or infinite value, or −1 when all are finite.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                return i;
        return -1;
    }

    /// <summary>Throws <see cref="Error"/> for the first non-finite value of a row of a vector column: the row is
    /// time-major, step t and feature f at t × <paramref name="width"/> + f.</summary>
    public static void Check(ReadOnlySpan<float> values, int width, string role, string column, long row, string advice, string? where = null)
    {
        int index = IndexOfNonFinite(values);
        if (index >= 0)
            throw Error(values[index], role, column, row, advice, where, (index, width));
    }

    /// <summary>The error for a non-finite <paramref name="value"/> (or one beyond the Single range) in a row: role is
    /// what the column is, capitalised ("Feature", "Label", "Score", "Series"); advice what the user should do, ending
    /// the sentence; where the data set when there are several ("ValidationSet"); position, in a vector column, the
    /// value's index and the values per time step.</summary>
    public static InvalidOperationException Error(double value, string role, string column, long row, string advice, string? where = null,
        (int Index, int Width)? position = null)
    {
        string at = position is (int index, int width) ? $" at index {index} (time step {index / width}, feature {index % width})" : "";
        return new InvalidOperationException($"{(where is null ? "" : where + ": ")}{role} column '{column}' row {row} holds {Describe(value)}{at}; {advice}");
    }

    /// <summary>"NaN", "+Infinity", "-Infinity", or a finite value too large for Single, as the user would write it.</summary>
    public static string Describe(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Infinity"
        : double.IsNegativeInfinity(value) ? "-Infinity"
        : $"{value.ToString(CultureInfo.InvariantCulture)}, beyond the range of Single (float)";
}
