using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>One row of long-form data: a series id, a timestamp as text, and two values.</summary>
public sealed class LongFormRow
{
    public string Series { get; set; } = "";
    public string Time { get; set; } = "";
    public float Value { get; set; }
    public float Load { get; set; }
}

/// <summary>One window read back with its series id and start row.</summary>
internal sealed record SeriesWindow(string Series, long Start, float[] Features, float[] Label, string? Time);

/// <summary>
/// Long-form series with known values: series k's Value is 1000 (k + 1) + its row plus a wiggle, so a window that
/// crossed from one series into another would show a jump of about 1000; series differ in length, start and step.
/// </summary>
internal static class LongFormSeries
{
    public static readonly string[] Ids = { "north", "south", "east" };
    public static readonly int[] Lengths = { 40, 25, 33 };

    public static LongFormRow Row(int series, int row) => new()
    {
        Series = Ids[series],
        Time = new DateTime(2020, 1, 1).AddHours(series * 5).AddHours(row * (series == 1 ? 24 : 1)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        Value = (float)(1000 * (series + 1) + row + 0.25 * Math.Sin(row)),
        Load = (float)((series + 1) * Math.Cos(0.3 * row) + 0.01 * (series + 1) * row),
    };

    /// <summary>Each series' rows, in time order.</summary>
    public static List<LongFormRow>[] BySeries(int[]? lengths = null) =>
        (lengths ?? Lengths).Select((n, s) => Enumerable.Range(0, n).Select(r => Row(s, r)).ToList()).ToArray();

    /// <summary>Series one after the other.</summary>
    public static List<LongFormRow> Contiguous(int[]? lengths = null) => BySeries(lengths).SelectMany(rows => rows).ToList();

    /// <summary>All rows sorted by timestamp (then id): the series interleave, each still in time order.</summary>
    public static List<LongFormRow> Interleaved(int[]? lengths = null) =>
        Contiguous(lengths).OrderBy(r => r.Time, StringComparer.Ordinal).ThenBy(r => r.Series, StringComparer.Ordinal).ToList();

    /// <summary>The rows as a CSV file loaded with LoadFromTextFile, the way long-form data arrive.</summary>
    public static IDataView FromCsv(MLContext ml, IEnumerable<LongFormRow> rows, string path)
    {
        File.WriteAllLines(path, rows.Select(r => string.Join(",", r.Series, r.Time, r.Value.ToString("R", CultureInfo.InvariantCulture), r.Load.ToString("R", CultureInfo.InvariantCulture)))
            .Prepend("series,time,value,load"));
        return ml.Data.LoadFromTextFile(path, new[]
        {
            new TextLoader.Column("Series", DataKind.String, 0),
            new TextLoader.Column("Time", DataKind.String, 1),
            new TextLoader.Column("Value", DataKind.Single, 2),
            new TextLoader.Column("Load", DataKind.Single, 3),
        }, separatorChar: ',', hasHeader: true);
    }

    /// <summary>Every window with its series id (column "Series", text) and start row (column "Start").</summary>
    public static List<SeriesWindow> Read(IDataView windows)
    {
        DataViewSchema schema = windows.Schema;
        using DataViewRowCursor cursor = windows.GetRowCursor(schema);
        var features = cursor.GetGetter<VBuffer<float>>(schema["Features"]);
        var label = schema.GetColumnOrNull("Label") is DataViewSchema.Column l ? cursor.GetGetter<VBuffer<float>>(l) : null;
        var start = cursor.GetGetter<long>(schema["Start"]);
        var series = cursor.GetGetter<ReadOnlyMemory<char>>(schema["Series"]);
        var time = schema.GetColumnOrNull("Time") is DataViewSchema.Column t ? cursor.GetGetter<ReadOnlyMemory<char>>(t) : null;
        var result = new List<SeriesWindow>();
        VBuffer<float> f = default, y = default;
        ReadOnlyMemory<char> id = default, stamp = default;
        long s = 0;
        while (cursor.MoveNext())
        {
            features(ref f);
            label?.Invoke(ref y);
            start(ref s);
            series(ref id);
            time?.Invoke(ref stamp);
            result.Add(new SeriesWindow(id.ToString(), s, f.DenseValues().ToArray(), label is null ? Array.Empty<float>() : y.DenseValues().ToArray(), time is null ? null : stamp.ToString()));
        }
        return result;
    }

    /// <summary>The windows of rows [first, end) of each series, computed directly: starts first, first + stride, … .</summary>
    public static List<SeriesWindow> Expected(List<LongFormRow>[] bySeries, Func<int, (long First, long End)> range, int inputLength, int horizon, int stride,
        Func<int, string, float, float>? transform = null)
    {
        transform ??= (_, _, v) => v;
        var expected = new List<SeriesWindow>();
        for (int k = 0; k < bySeries.Length; k++)
        {
            var (first, end) = range(k);
            List<LongFormRow> rows = bySeries[k];
            float[] Steps(long from, int count) => Enumerable.Range((int)from, count)
                .SelectMany(r => new[] { transform(k, "Value", rows[r].Value), transform(k, "Load", rows[r].Load) }).ToArray();
            for (long s = first; s + inputLength + horizon <= end; s += stride)
                expected.Add(new SeriesWindow(Ids[k], s, Steps(s, inputLength), Steps(s + inputLength, horizon), rows[(int)s].Time));
        }
        return expected;
    }

    public static SequenceWindowOptions Options(int inputLength, int horizon, int stride = 1) => new()
    {
        InputColumnNames = new[] { "Value", "Load" },
        InputLength = inputLength,
        Horizon = horizon,
        Stride = stride,
        SeriesColumnName = "Series",
        TimestampColumnName = "Time",
        WindowStartColumnName = "Start",
    };
}
