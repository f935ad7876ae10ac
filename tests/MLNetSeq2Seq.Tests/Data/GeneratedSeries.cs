using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>Series with known values, and the windows a test expects from them, computed directly from the rows.</summary>
internal static class GeneratedSeries
{
    public static readonly DateTime Start = new(2016, 7, 1);

    /// <summary>
    /// <paramref name="count"/> hourly rows: A rises with a daily cycle, B oscillates, C is a signed step pattern,
    /// D has a trend (so statistics of early rows differ from those of all rows), E counts.
    /// </summary>
    public static SeriesRow[] Create(int count, int seed = 7)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new SeriesRow
        {
            Time = Timestamp(i),
            A = (float)(10 + 0.01 * i + Math.Sin(2 * Math.PI * i / 24)),
            B = (float)(Math.Cos(0.37 * i) * 3 + random.NextDouble() * 0.1),
            C = ((i * 13) % 29 - 14) * 0.5f,
            D = 100.0 + 0.5 * i + random.NextDouble(),
            E = 1000 + i,
        }).ToArray();
    }

    public static string Timestamp(int row) => Start.AddHours(row).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    public static IDataView Load(MLContext ml, IEnumerable<SeriesRow> rows) => ml.Data.LoadFromEnumerable(rows);

    /// <summary>Window starts 0, stride, 2·stride, … while the window fits: counted by brute force.</summary>
    public static List<long> ExpectedStarts(long firstRow, long endRow, int inputLength, int horizon, int stride)
    {
        var starts = new List<long>();
        for (long s = firstRow; s + inputLength + horizon <= endRow; s += stride)
            starts.Add(s);
        return starts;
    }

    /// <summary>Rows [from, from + steps) of the named columns, time-major.</summary>
    public static float[] Steps(IReadOnlyList<SeriesRow> rows, long from, int steps, IReadOnlyList<string> columns)
    {
        var values = new List<float>();
        for (long r = from; r < from + steps; r++)
            foreach (string column in columns)
                values.Add(rows[(int)r].Value(column));
        return values.ToArray();
    }
}
