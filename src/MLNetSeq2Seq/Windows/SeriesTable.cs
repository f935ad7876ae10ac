using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Columns;

namespace MLNetSeq2Seq.Windows;

/// <summary>
/// A range of rows of a series held in memory: the value columns as one row-major float buffer (row r, column c at
/// r × ColumnCount + c) and, optionally, one pass-through column. Read once, in one cursor pass; rows before the
/// range are skipped without reading their values, and reading stops at the end of the range. Windows are views
/// over this buffer, so a series of N rows costs N × ColumnCount floats however many windows overlap.
/// </summary>
internal sealed class SeriesTable
{
    private float[] _values;

    private int[]? _sourceRows;

    private SeriesTable(string[] columnNames, long firstRow, int rowCount, float[] values, SeriesPassThroughValues? passThrough)
    {
        ColumnNames = columnNames;
        FirstRow = firstRow;
        RowCount = rowCount;
        _values = values;
        PassThrough = passThrough;
        Segments = new[] { new SeriesSegment("", 0, rowCount) };
    }

    /// <summary>The series held, each contiguous in the table: one ("" id, every row) without a series column; with
    /// one (<see cref="SequenceWindowOptions.SeriesColumnName"/>), one per id in order of first appearance.</summary>
    public IReadOnlyList<SeriesSegment> Segments { get; private set; }

    /// <summary>The series id column's values, one per table row; null without a series column.</summary>
    public SeriesPassThroughValues? SeriesIds { get; private set; }

    /// <summary>The row of the source view that table row <paramref name="tableRow"/> was read from (rows of interleaved
    /// series are regrouped, so the two differ then).</summary>
    public long SourceRow(int tableRow) => _sourceRows is null ? FirstRow + tableRow : _sourceRows[tableRow];

    /// <summary>The value columns, in buffer order.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    public int ColumnCount => ColumnNames.Count;

    /// <summary>The series row (0-based) of the table's row 0.</summary>
    public long FirstRow { get; }

    /// <summary>Rows held: fewer than asked for when the series ended first.</summary>
    public int RowCount { get; }

    /// <summary>The series row after the last row held.</summary>
    public long EndRow => FirstRow + RowCount;

    /// <summary>The pass-through column's values, one per row held; null when none was asked for.</summary>
    public SeriesPassThroughValues? PassThrough { get; }

    /// <summary>All values, row-major.</summary>
    public ReadOnlySpan<float> Values => _values.AsSpan(0, RowCount * ColumnCount);

    public int IndexOf(string columnName)
    {
        for (int c = 0; c < ColumnNames.Count; c++)
            if (ColumnNames[c] == columnName)
                return c;
        return -1;
    }

    /// <summary>
    /// Reads rows [firstRow, firstRow + rowCount) of <paramref name="series"/> (to its end when rowCount is null, or
    /// when the series is shorter). Every value must be finite and within the Single range; the first that is not
    /// stops the read with an error naming its column and series row.
    /// </summary>
    public static SeriesTable Read(IDataView series, IReadOnlyList<SeriesColumnRequest> valueColumns, (string Name, string Option)? passThroughColumn,
        long firstRow, long? rowCount, string? seriesColumnName = null)
    {
        DataViewSchema schema = series.Schema;
        DataViewSchema.Column[] columns = valueColumns.Select(r => SeriesColumns.FindNumeric(schema, r.Name, r.Option)).ToArray();
        DataViewSchema.Column? passThrough = passThroughColumn is (string name, string option) ? SeriesColumns.FindScalar(schema, name, option) : null;
        DataViewSchema.Column? idColumn = seriesColumnName is null ? null : SeriesColumns.FindSeriesId(schema, seriesColumnName);
        var active = passThrough is DataViewSchema.Column p ? columns.Append(p) : columns;
        if (idColumn is DataViewSchema.Column idc && !active.Any(c => c.Index == idc.Index))
            active = active.Append(idc);

        long endRow = rowCount is long count ? firstRow + count : long.MaxValue;
        long? knownRows = series.GetRowCount();
        long expectedRows = Math.Max(0, Math.Min(endRow, knownRows ?? endRow) - firstRow);
        long maxRows = Array.MaxLength / columns.Length;
        var values = new float[Math.Clamp(expectedRows, 1, 1 << 16) * columns.Length];
        int rows = 0;
        SeriesPassThroughValues? passThroughValues = null, ids = null;
        using (DataViewRowCursor cursor = series.GetRowCursor(active))
        {
            Func<double>[] getters = columns.Select(c => SeriesColumns.NumericGetter(cursor, c)).ToArray();
            if (passThrough is DataViewSchema.Column pc)
                passThroughValues = SeriesPassThroughValues.Create(cursor, pc);
            if (idColumn is DataViewSchema.Column ic)
                ids = SeriesPassThroughValues.Create(cursor, ic, shareText: true);
            for (long seriesRow = 0; seriesRow < endRow && cursor.MoveNext(); seriesRow++)
            {
                if (seriesRow < firstRow)
                    continue;
                if (rows == maxRows)
                    throw new InvalidOperationException($"The series holds more than {maxRows} rows of {columns.Length} columns from row {firstRow}; window a shorter range ({nameof(SequenceWindowOptions.FirstRow)}, {nameof(SequenceWindowOptions.RowCount)}).");
                if ((rows + 1L) * columns.Length > values.Length)
                    Array.Resize(ref values, (int)Math.Min((long)maxRows * columns.Length, 2L * values.Length));
                for (int c = 0; c < columns.Length; c++)
                    values[rows * columns.Length + c] = ToSingle(getters[c](), columns[c].Name, seriesRow);
                passThroughValues?.ReadCurrent();
                ids?.ReadCurrent();
                rows++;
            }
        }
        var table = new SeriesTable(valueColumns.Select(r => r.Name).ToArray(), firstRow, rows, values, passThroughValues);
        if (ids is not null)
            table.GroupBySeries(ids, seriesColumnName!);
        return table;
    }

    /// <summary>
    /// Splits the rows by series id. Rows of one series keep their order (time order, as read); series may be
    /// interleaved, and are then regrouped (a stable reorder, series in order of first appearance) so that each
    /// lies contiguous in the table. A missing id (blank text, NaN, key 0) is an error naming its row.
    /// </summary>
    private void GroupBySeries(SeriesPassThroughValues ids, string columnName)
    {
        string option = nameof(SequenceWindowOptions.SeriesColumnName);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var counts = new List<int>();
        var seriesOfRow = new int[RowCount];
        bool contiguous = true;
        for (int r = 0; r < RowCount; r++)
        {
            if (ids.IsMissing(r))
                throw new ArgumentException($"Series column '{columnName}' ({option}) has no id at series row {SourceRow(r)} (it holds '{ids.Describe(r)}'): "
                    + "every row needs the id of its series; remove such rows or fill in their ids first.", "series");
            if (r > 0 && ids.SameValue(r, r - 1))
            {
                seriesOfRow[r] = seriesOfRow[r - 1];
                counts[seriesOfRow[r]]++;
                continue;
            }
            string id = ids.Describe(r);
            if (!index.TryGetValue(id, out int s))
            {
                index.Add(id, s = names.Count);
                names.Add(id);
                counts.Add(0);
            }
            else if (seriesOfRow[r - 1] != s)
            {
                contiguous = false;
            }
            seriesOfRow[r] = s;
            counts[s]++;
        }
        var segments = new SeriesSegment[names.Count];
        for (int s = 0, start = 0; s < names.Count; start += counts[s], s++)
            segments[s] = new SeriesSegment(names[s], start, counts[s]);
        if (!contiguous)
        {
            var next = segments.Select(g => g.TableStart).ToArray();
            var order = new int[RowCount];
            for (int r = 0; r < RowCount; r++)
                order[next[seriesOfRow[r]]++] = r;
            var values = new float[Math.Max(1, RowCount * ColumnCount)];
            for (int i = 0; i < RowCount; i++)
                Array.Copy(_values, order[i] * ColumnCount, values, i * ColumnCount, ColumnCount);
            _values = values;
            _sourceRows = order.Select(r => (int)(FirstRow + r)).ToArray();
            ids.Reorder(order);
            PassThrough?.Reorder(order);
        }
        SeriesIds = ids;
        Segments = segments;
    }

    /// <summary>
    /// With a timestamp column whose values are times: each series' timestamps must increase
    /// strictly, row after row; the first pair that does not is an error naming the series and both rows.
    /// Timestamps that are not times (text that does not parse, numbers) are not checked.
    /// </summary>
    public void RequireIncreasingTimestamps(string timestampColumn)
    {
        if (PassThrough is not SeriesPassThroughValues times)
            return;
        foreach (SeriesSegment segment in Segments)
        {
            for (int r = segment.TableStart + 1; r < segment.TableEnd; r++)
            {
                if (times.TimestampAt(r - 1) is not DateTime before || times.TimestampAt(r) is not DateTime time || time > before)
                    continue;
                throw new ArgumentException($"The timestamps of {segment.Describe()} are not in time order: {nameof(SequenceWindowOptions.TimestampColumnName)} '{timestampColumn}' holds "
                    + $"{times.Describe(r - 1)} at row {SourceRow(r - 1)} and then {times.Describe(r)} at row {SourceRow(r)}. Rows of one series must be in increasing time order "
                    + "(series may be interleaved): sort the rows by series and time first.", "series");
            }
        }
    }

    /// <summary>Per-column mean and population standard deviation over series rows [firstRow, endRow), two passes in double.</summary>
    public SeriesStatistics Statistics(long firstRow, long endRow)
    {
        int from = checked((int)(firstRow - FirstRow)), to = checked((int)(endRow - FirstRow));
        if (from < 0 || to > RowCount || to <= from)
            throw new InvalidOperationException($"Rows [{firstRow}, {endRow}) are not within the rows read, [{FirstRow}, {EndRow}).");
        return Statistics(new[] { (from, to) }, firstRow);
    }

    /// <summary>Per-column mean and population standard deviation over the union of table row ranges [From, To), two
    /// passes in double (ranges in order, rows in order, so the sums are the same however the table was built).</summary>
    public SeriesStatistics Statistics(IReadOnlyList<(int From, int To)> tableRanges, long firstRow)
    {
        long count = tableRanges.Sum(r => (long)(r.To - r.From));
        if (count <= 0)
            throw new InvalidOperationException("Statistics need at least one row.");
        var means = new double[ColumnCount];
        var deviations = new double[ColumnCount];
        for (int c = 0; c < ColumnCount; c++)
        {
            double sum = 0;
            foreach (var (from, to) in tableRanges)
                for (int r = from; r < to; r++)
                    sum += _values[r * ColumnCount + c];
            double mean = sum / count, squares = 0;
            foreach (var (from, to) in tableRanges)
                for (int r = from; r < to; r++)
                {
                    double d = _values[r * ColumnCount + c] - mean;
                    squares += d * d;
                }
            means[c] = mean;
            deviations[c] = Math.Sqrt(squares / count);
        }
        return new SeriesStatistics(ColumnNames, means, deviations, firstRow, count);
    }

    /// <summary>Replaces every value v of column c by (v − mean_c) / scale_c, in place (the buffer is ours).</summary>
    public void Standardize(SeriesStatistics statistics) => Standardize(statistics, 0, RowCount);

    /// <summary>As <see cref="Standardize(SeriesStatistics)"/>, for table rows [from, to) only (one series' rows).</summary>
    public void Standardize(SeriesStatistics statistics, int from, int to)
    {
        for (int c = 0; c < ColumnCount; c++)
        {
            int s = statistics.IndexOf(ColumnNames[c]);
            if (s < 0)
                throw new ArgumentException($"The statistics have no column '{ColumnNames[c]}'.", nameof(statistics));
            double mean = statistics.Mean(s), scale = statistics.Scale(s);
            for (int r = from; r < to; r++)
            {
                ref float value = ref _values[r * ColumnCount + c];
                value = ToSingle((value - mean) / scale, ColumnNames[c], SourceRow(r), standardized: true);
            }
        }
    }

    private static float ToSingle(double value, string column, long seriesRow, bool standardized = false)
    {
        float single = (float)value;
        if (float.IsFinite(single))
            return single;
        throw FiniteValues.Error(value, "Series", column, seriesRow,
            (standardized ? "that is its standardized value; " : "") + "windows need finite values: remove or impute them (or choose rows without them) first.");
    }
}
