using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq.Windows;

/// <summary>
/// What the catalog's series functions do: check the options, read the rows they need once into a
/// <see cref="SeriesTable"/>, standardize it when asked, and return window views over it.
/// </summary>
internal static class SequenceWindowing
{
    public static IDataView Create(IDataView series, SequenceWindowOptions options, MLNetHost? host = null)
    {
        options = options.Clone();
        options.Validate();
        if (options.SeriesColumnName is not null)
            return ManySeriesWindowing.Create(series, options, host);
        SeriesTable table = Read(series, options, options.FirstRow, options.RowCount);
        if (options.RowCount is long asked && table.RowCount < asked)
            throw new ArgumentException($"{nameof(SequenceWindowOptions.FirstRow)} = {options.FirstRow} and {nameof(SequenceWindowOptions.RowCount)} = {asked} ask for rows up to {options.FirstRow + asked}, but the series has {options.FirstRow + table.RowCount} rows.", nameof(options));
        if (table.RowCount < options.RowsNeeded)
            throw new ArgumentException($"No window fits: the series has {table.RowCount} rows from row {options.FirstRow}, but {options.DescribeRowsNeeded()}.", nameof(options));
        if (options.Standardization is SeriesStatistics statistics)
            table.Standardize(statistics);
        return new SequenceWindowDataView(table, options, table.FirstRow, table.EndRow, options.Standardization);
    }

    public static SequenceWindowSplit Split(IDataView series, SequenceWindowOptions options, ChronologicalSplit split, bool standardize, MLNetHost? host = null)
    {
        options = CheckSplitOptions(options, standardize);
        split.Validate();
        if (options.SeriesColumnName is not null)
            return ManySeriesWindowing.Split(series, options, _ => split, standardize, host);
        (long a, long b, long c) = (split.TrainEnd, split.ValidationEnd, split.TestEnd);
        long windowRows = (long)options.InputLength + options.Horizon;
        if (a < windowRows)
            throw new ArgumentException($"No training window fits: training rows [0, {a}) are {a} rows, but one window needs {nameof(SequenceWindowOptions.InputLength)} + {nameof(SequenceWindowOptions.Horizon)} = {windowRows}.", nameof(split));
        RequireTargets("validation", a, b, options.Horizon);
        RequireTargets("test", b, c, options.Horizon);

        SeriesTable table = Read(series, options, 0, c);
        if (table.RowCount < c)
            throw new ArgumentException($"The split's {nameof(ChronologicalSplit.TestEnd)} is row {c}, but the series has only {table.RowCount} rows.", nameof(split));
        SeriesStatistics? statistics = standardize ? table.Statistics(0, a) : options.Standardization;
        if (statistics is not null)
            table.Standardize(statistics);
        // Validation and test inputs start InputLength rows before their first target, reaching back across the boundary.
        return new SequenceWindowSplit(
            new SequenceWindowDataView(table, options, 0, a, statistics),
            new SequenceWindowDataView(table, options, a - options.InputLength, b, statistics),
            new SequenceWindowDataView(table, options, b - options.InputLength, c, statistics),
            split, statistics);
    }

    /// <summary>A split by fractions of each series' length (<see cref="ChronologicalSplit.FromFractions"/>).</summary>
    public static SequenceWindowSplit Split(IDataView series, SequenceWindowOptions options, double trainFraction, double validationFraction, bool standardize, MLNetHost? host = null)
    {
        ChronologicalSplit.FromFractions(long.MaxValue / 4, trainFraction, validationFraction); // checks the fractions
        options = CheckSplitOptions(options, standardize);
        if (options.SeriesColumnName is not null)
            return ManySeriesWindowing.Split(series, options, rows => ChronologicalSplit.FromFractions(rows, trainFraction, validationFraction), standardize, host);
        long? rows = series.GetRowCount();
        if (rows is null)
        {
            using DataViewRowCursor cursor = series.GetRowCursor(Array.Empty<DataViewSchema.Column>());
            for (rows = 0; cursor.MoveNext();)
                rows++;
        }
        return Split(series, options, ChronologicalSplit.FromFractions(Math.Max(1, rows.Value), trainFraction, validationFraction), standardize, host);
    }

    /// <summary>A split at the same times in every series (<see cref="ManySeriesWindowing.SplitByTime"/>).</summary>
    public static SequenceWindowSplit SplitByTime(IDataView series, SequenceWindowOptions options, DateTime trainEnd, DateTime validationEnd, DateTime? testEnd, bool standardize, MLNetHost? host = null) =>
        ManySeriesWindowing.SplitByTime(series, CheckSplitOptions(options, standardize), trainEnd, validationEnd, testEnd, standardize, host);

    private static SequenceWindowOptions CheckSplitOptions(SequenceWindowOptions options, bool standardize)
    {
        options = options.Clone();
        options.Validate();
        if (options.FirstRow != 0 || options.RowCount is not null)
            throw new ArgumentException($"The split chooses the rows of each part: leave {nameof(SequenceWindowOptions.FirstRow)} (it is {options.FirstRow}) and {nameof(SequenceWindowOptions.RowCount)} (it is {options.RowCount?.ToString() ?? "null"}) unset.", nameof(options));
        if (options.TrailingWindowCount is not null)
            throw new ArgumentException($"{nameof(SequenceWindowOptions.TrailingWindowCount)} is set: trailing windows have no label to split; make them with CreateSequenceWindows.", nameof(options));
        if (standardize && (options.Standardization is not null || options.PerSeriesStandardization is not null))
            throw new ArgumentException($"{(options.Standardization is not null ? nameof(SequenceWindowOptions.Standardization) : nameof(SequenceWindowOptions.PerSeriesStandardization))} is set and standardize is true: pass standardize: false to use the given statistics, or clear them to compute them from the training rows.", nameof(options));
        return options;
    }

    public static SeriesStatistics Statistics(IDataView series, IReadOnlyList<string> columnNames, long firstRow, long? rowCount)
    {
        if (columnNames.Count == 0 || columnNames.Any(string.IsNullOrWhiteSpace) || columnNames.Distinct().Count() != columnNames.Count)
            throw new ArgumentException($"columnNames must name at least one column, each once; they are {string.Join(", ", columnNames.Select(n => $"'{n}'"))}.", nameof(columnNames));
        if (firstRow < 0)
            throw new ArgumentOutOfRangeException(nameof(firstRow), firstRow, $"{nameof(firstRow)} must be ≥ 0 (it is {firstRow}).");
        if (rowCount is long count && count <= 0)
            throw new ArgumentOutOfRangeException(nameof(rowCount), count, $"{nameof(rowCount)} must be at least 1 (it is {count}).");
        var requests = columnNames.Select(n => new SeriesColumnRequest(n, nameof(columnNames))).ToArray();
        SeriesTable table = SeriesTable.Read(series, requests, null, firstRow, rowCount);
        if (table.RowCount == 0)
            throw new ArgumentException($"The series has no rows from row {firstRow} on.", nameof(firstRow));
        if (rowCount is long asked && table.RowCount < asked)
            throw new ArgumentException($"Rows [{firstRow}, {firstRow + asked}) are asked for, but the series ends at row {table.EndRow}.", nameof(rowCount));
        return table.Statistics(firstRow, table.EndRow);
    }

    private static SeriesTable Read(IDataView series, SequenceWindowOptions options, long firstRow, long? rowCount)
    {
        (string, string)? passThrough = options.TimestampColumnName is string timestamp ? (timestamp, nameof(SequenceWindowOptions.TimestampColumnName)) : null;
        return SeriesTable.Read(series, SeriesColumnRequest.For(options), passThrough, firstRow, rowCount);
    }

    private static void RequireTargets(string part, long from, long to, int horizon)
    {
        if (to - from < horizon)
            throw new ArgumentException($"No {part} window fits: {part} targets [{from}, {to}) are {to - from} rows, fewer than {nameof(SequenceWindowOptions.Horizon)} = {horizon}.", "split");
    }
}
