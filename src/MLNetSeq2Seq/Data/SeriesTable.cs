using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Data;

/// <summary>
/// A range of rows of a series held in memory: the value columns as one row-major float buffer (row r, column c at
/// r × ColumnCount + c) and, optionally, one pass-through column. Read once, in one cursor pass; rows before the
/// range are skipped without reading their values, and reading stops at the end of the range. Windows are views
/// over this buffer, so a series of N rows costs N × ColumnCount floats however many windows overlap.
/// </summary>
internal sealed class SeriesTable
{
    private readonly float[] _values;

    private SeriesTable(string[] columnNames, long firstRow, int rowCount, float[] values, SeriesPassThroughValues? passThrough)
    {
        ColumnNames = columnNames;
        FirstRow = firstRow;
        RowCount = rowCount;
        _values = values;
        PassThrough = passThrough;
    }

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
        long firstRow, long? rowCount)
    {
        DataViewSchema schema = series.Schema;
        DataViewSchema.Column[] columns = valueColumns.Select(r => SeriesColumns.FindNumeric(schema, r.Name, r.Option)).ToArray();
        DataViewSchema.Column? passThrough = passThroughColumn is (string name, string option) ? SeriesColumns.FindScalar(schema, name, option) : null;
        var active = passThrough is DataViewSchema.Column p ? columns.Append(p) : columns;

        long endRow = rowCount is long count ? firstRow + count : long.MaxValue;
        long? knownRows = series.GetRowCount();
        long expectedRows = Math.Max(0, Math.Min(endRow, knownRows ?? endRow) - firstRow);
        long maxRows = Array.MaxLength / columns.Length;
        var values = new float[Math.Clamp(expectedRows, 1, 1 << 16) * columns.Length];
        int rows = 0;
        SeriesPassThroughValues? passThroughValues = null;
        using (DataViewRowCursor cursor = series.GetRowCursor(active))
        {
            Func<double>[] getters = columns.Select(c => SeriesColumns.NumericGetter(cursor, c)).ToArray();
            if (passThrough is DataViewSchema.Column pc)
                passThroughValues = SeriesPassThroughValues.Create(cursor, pc);
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
                rows++;
            }
        }
        return new SeriesTable(valueColumns.Select(r => r.Name).ToArray(), firstRow, rows, values, passThroughValues);
    }

    /// <summary>Per-column mean and population standard deviation over series rows [firstRow, endRow), two passes in double.</summary>
    public SeriesStatistics Statistics(long firstRow, long endRow)
    {
        int from = checked((int)(firstRow - FirstRow)), to = checked((int)(endRow - FirstRow));
        if (from < 0 || to > RowCount || to <= from)
            throw new InvalidOperationException($"Rows [{firstRow}, {endRow}) are not within the rows read, [{FirstRow}, {EndRow}).");
        int count = to - from;
        var means = new double[ColumnCount];
        var deviations = new double[ColumnCount];
        for (int c = 0; c < ColumnCount; c++)
        {
            double sum = 0;
            for (int r = from; r < to; r++)
                sum += _values[r * ColumnCount + c];
            double mean = sum / count, squares = 0;
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
    public void Standardize(SeriesStatistics statistics)
    {
        for (int c = 0; c < ColumnCount; c++)
        {
            int s = statistics.IndexOf(ColumnNames[c]);
            if (s < 0)
                throw new ArgumentException($"The statistics have no column '{ColumnNames[c]}'.", nameof(statistics));
            double mean = statistics.Mean(s), scale = statistics.Scale(s);
            for (int r = 0; r < RowCount; r++)
            {
                ref float value = ref _values[r * ColumnCount + c];
                value = ToSingle((value - mean) / scale, ColumnNames[c], FirstRow + r, standardized: true);
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
