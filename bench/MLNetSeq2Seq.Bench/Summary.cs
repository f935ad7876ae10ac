using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MLNetSeq2Seq.Bench;

/// <summary>Median, min and max of a set of measurements (usually one value per alternated pair).</summary>
internal readonly record struct Summary(double Median, double Min, double Max, int Count)
{
    public static Summary Of(IEnumerable<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
            return new Summary(double.NaN, double.NaN, double.NaN, 0);
        int mid = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Summary(median, sorted[0], sorted[^1], sorted.Length);
    }

    /// <summary>"1.02 (0.98–1.07)" with <paramref name="format"/> for each number.</summary>
    public string Format(string format = "F3") =>
        Count == 0 ? "n/a" : $"{Median.ToString(format, CultureInfo.InvariantCulture)} ({Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)})";
}
