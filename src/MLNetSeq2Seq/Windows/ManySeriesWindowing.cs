using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq.Windows;

/// <summary>
/// The window functions for long-form data (<see cref="SequenceWindowOptions.SeriesColumnName"/>): read every row once,
/// group it by series, check each series (time order, length), standardize globally or per series, and return views
/// whose windows stay inside one series. Row numbers in options and boundaries count rows within each series.
/// </summary>
internal static class ManySeriesWindowing
{
    public static IDataView Create(IDataView series, SequenceWindowOptions options, MLNetHost? host)
    {
        SeriesTable table = Read(series, options);
        var ranges = new List<WindowRange>();
        var shortSeries = new List<(SeriesSegment Segment, string Why)>();
        foreach (SeriesSegment segment in table.Segments)
        {
            long first = options.FirstRow, end = options.RowCount is long count ? first + count : segment.RowCount;
            if (end > segment.RowCount)
                shortSeries.Add((segment, $"has {segment.RowCount} rows, but {nameof(SequenceWindowOptions.FirstRow)} = {first} and {nameof(SequenceWindowOptions.RowCount)} = {options.RowCount} ask for rows up to {end}"));
            else if (end - first < options.RowsNeeded)
                shortSeries.Add((segment, $"has {Math.Max(0, end - first)} rows from row {first}, but {options.DescribeRowsNeeded()}"));
            else
                ranges.Add(new WindowRange(segment, first, end));
        }
        HandleShortSeries(shortSeries, table.Segments.Count, ranges.Count, options, host);
        if (options.Standardization is SeriesStatistics statistics)
            table.Standardize(statistics);
        if (options.PerSeriesStandardization is PerSeriesStatistics perSeries)
            foreach (WindowRange range in ranges)
                table.Standardize(StatisticsOf(perSeries, range.Segment), range.Segment.TableStart, range.Segment.TableEnd);
        return new SequenceWindowDataView(table, options, ranges, options.Standardization, options.PerSeriesStandardization);
    }

    /// <summary>A chronological split of each series: <paramref name="boundariesOf"/> gives a series' boundaries from its
    /// row count (fixed boundaries, or fractions of its length).</summary>
    public static SequenceWindowSplit Split(IDataView series, SequenceWindowOptions options, Func<int, ChronologicalSplit> boundariesOf, bool standardize, MLNetHost? host) =>
        Split(series, options, (_, segment) => boundariesOf(segment.RowCount), standardize, host);

    /// <summary>A chronological split of each series at the same times: a series' boundaries are its first rows at or
    /// after <paramref name="trainEnd"/> and <paramref name="validationEnd"/> (and <paramref name="testEnd"/>; null: its end).
    /// Works for one series too (no series column).</summary>
    public static SequenceWindowSplit SplitByTime(IDataView series, SequenceWindowOptions options, DateTime trainEnd, DateTime validationEnd, DateTime? testEnd,
        bool standardize, MLNetHost? host)
    {
        if (options.TimestampColumnName is not string column)
            throw new ArgumentException($"A split by time needs {nameof(SequenceWindowOptions.TimestampColumnName)}: the column holding each row's time.", nameof(options));
        if (!(trainEnd < validationEnd && (testEnd is null || validationEnd < testEnd)))
            throw new ArgumentOutOfRangeException(nameof(trainEnd), $"The times must increase: trainEnd {trainEnd:O} < validationEnd {validationEnd:O}{(testEnd is DateTime t ? $" < testEnd {t:O}" : "")}.");
        return Split(series, options, (table, segment) =>
        {
            long RowsBefore(DateTime end)
            {
                long count = 0;
                for (int r = segment.TableStart; r < segment.TableEnd; r++)
                {
                    DateTime time = table.PassThrough!.TimestampAt(r) ?? throw new ArgumentException(
                        $"A split by time needs times in {nameof(SequenceWindowOptions.TimestampColumnName)} '{column}' (DateTime, DateTimeOffset, or text DateTime.Parse reads with the invariant culture); "
                        + $"row {table.SourceRow(r)} holds '{table.PassThrough.Describe(r)}'.", nameof(options));
                    if (time < end)
                        count++;
                }
                return count;
            }
            return new ChronologicalSplit(RowsBefore(trainEnd), RowsBefore(validationEnd), testEnd is DateTime end ? RowsBefore(end) : segment.RowCount);
        }, standardize, host);
    }

    private static SequenceWindowSplit Split(IDataView series, SequenceWindowOptions options, Func<SeriesTable, SeriesSegment, ChronologicalSplit> boundariesOf, bool standardize, MLNetHost? host)
    {
        SeriesTable table = Read(series, options);
        int l = options.InputLength, h = options.Horizon;
        var kept = new List<(SeriesSegment Segment, ChronologicalSplit Split)>();
        var shortSeries = new List<(SeriesSegment Segment, string Why)>();
        foreach (SeriesSegment segment in table.Segments)
        {
            ChronologicalSplit? split = null;
            string? why;
            try
            {
                split = boundariesOf(table, segment);
                split.Validate();
                why = segment.RowCount < split.TestEnd ? $"has {segment.RowCount} rows, fewer than the split's {nameof(ChronologicalSplit.TestEnd)} = {split.TestEnd}"
                    : split.TrainEnd < (long)l + h ? $"has training rows [0, {split.TrainEnd}), fewer than {nameof(SequenceWindowOptions.InputLength)} + {nameof(SequenceWindowOptions.Horizon)} = {l + h}"
                    : split.ValidationEnd - split.TrainEnd < h ? $"has validation targets [{split.TrainEnd}, {split.ValidationEnd}), fewer than {nameof(SequenceWindowOptions.Horizon)} = {h} rows"
                    : split.TestEnd - split.ValidationEnd < h ? $"has test targets [{split.ValidationEnd}, {split.TestEnd}), fewer than {nameof(SequenceWindowOptions.Horizon)} = {h} rows"
                    : null;
            }
            catch (ArgumentOutOfRangeException e)
            {
                why = $"has {segment.RowCount} rows, too few to split: {e.Message.Split(Environment.NewLine)[0]}";
            }
            if (why is null)
                kept.Add((segment, split!));
            else
                shortSeries.Add((segment, why));
        }
        HandleShortSeries(shortSeries, table.Segments.Count, kept.Count, options, host);

        SeriesStatistics? statistics = options.Standardization;
        PerSeriesStatistics? perSeries = options.PerSeriesStandardization;
        if (standardize && options.SeriesStandardization == SeriesStandardization.Global)
            statistics = table.Statistics(kept.Select(k => (k.Segment.TableStart, k.Segment.TableStart + (int)k.Split.TrainEnd)).ToArray(), 0);
        else if (standardize)
            perSeries = new PerSeriesStatistics(kept.Select(k => KeyValuePair.Create(k.Segment.Id,
                table.Statistics(new[] { (k.Segment.TableStart, k.Segment.TableStart + (int)k.Split.TrainEnd) }, 0))));
        if (statistics is not null)
            table.Standardize(statistics);
        if (perSeries is not null)
            foreach (var (segment, _) in kept)
                table.Standardize(StatisticsOf(perSeries, segment), segment.TableStart, segment.TableEnd);

        // As for one series: validation and test inputs reach back InputLength rows across their boundary, within the series.
        SequenceWindowDataView View(Func<ChronologicalSplit, (long First, long End)> rows) => new(table, options,
            kept.Select(k => { var (first, end) = rows(k.Split); return new WindowRange(k.Segment, first, end); }).ToArray(), statistics, perSeries);
        return new SequenceWindowSplit(View(s => (0, s.TrainEnd)), View(s => (s.TrainEnd - l, s.ValidationEnd)), View(s => (s.ValidationEnd - l, s.TestEnd)),
            kept[0].Split, statistics)
        {
            PerSeriesStatistics = standardize && options.SeriesStandardization == SeriesStandardization.PerSeries ? perSeries : options.PerSeriesStandardization,
            SeriesBoundaries = options.SeriesColumnName is null ? null : kept.ToDictionary(k => k.Segment.Id, k => k.Split, StringComparer.Ordinal),
        };
    }

    private static SeriesTable Read(IDataView series, SequenceWindowOptions options)
    {
        (string, string)? passThrough = options.TimestampColumnName is string timestamp ? (timestamp, nameof(SequenceWindowOptions.TimestampColumnName)) : null;
        SeriesTable table = SeriesTable.Read(series, SeriesColumnRequest.For(options), passThrough, 0, null, options.SeriesColumnName);
        if (table.RowCount == 0)
            throw new ArgumentException("The series has no rows.", nameof(series));
        if (options.TimestampColumnName is string column)
            table.RequireIncreasingTimestamps(column);  // one series (a split by time) as well as many
        return table;
    }

    private static SeriesStatistics StatisticsOf(PerSeriesStatistics perSeries, SeriesSegment segment) =>
        perSeries.TryGet(segment.Id, out SeriesStatistics? statistics) ? statistics!
            : throw new ArgumentException($"{nameof(SequenceWindowOptions.PerSeriesStandardization)} has no statistics for {segment.Describe()}; it covers {perSeries.SeriesIds.Count} series "
                + $"({string.Join(", ", perSeries.SeriesIds.Take(5).Select(i => $"'{i}'"))}{(perSeries.SeriesIds.Count > 5 ? ", ..." : "")}).", "options");

    // Too short for its windows: an error naming the series (Throw), or left out with a warning that counts them (Skip).
    private static void HandleShortSeries(List<(SeriesSegment Segment, string Why)> shortSeries, int seriesCount, int keptCount, SequenceWindowOptions options, MLNetHost? host)
    {
        if (shortSeries.Count == 0)
            return;
        var (first, why) = shortSeries[0];
        if (options.ShortSeries == ShortSeriesHandling.Throw)
            throw new ArgumentException($"{(first.Id.Length == 0 ? "The series" : $"Series '{first.Id}' (column '{options.SeriesColumnName}')")} {why}. "
                + (shortSeries.Count > 1 ? $"{shortSeries.Count} of {seriesCount} series are too short. " : "")
                + $"Set {nameof(SequenceWindowOptions.ShortSeries)} = {nameof(ShortSeriesHandling.Skip)} to leave such series out, or remove them first.", "options");
        string examples = string.Join("; ", shortSeries.Take(5).Select(s => $"'{s.Segment.Id}' {s.Why}"));
        if (keptCount == 0)
            throw new ArgumentException($"No series is long enough: all {seriesCount} are too short ({examples}).", "options");
        host?.Warning($"Seq2Seq windows: {nameof(SequenceWindowOptions.ShortSeries)} = {nameof(ShortSeriesHandling.Skip)} left out {shortSeries.Count} of {seriesCount} series as too short ({examples}{(shortSeries.Count > 5 ? "; ..." : "")}).");
    }
}
