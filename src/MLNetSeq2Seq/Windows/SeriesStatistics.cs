using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetSeq2Seq;

/// <summary>
/// Per-column mean and standard deviation of a series over a range of rows: the z-score statistics of the ETT
/// protocol, computed over the training rows only and applied unchanged to validation and test rows. Made by
/// <see cref="Seq2SeqCatalog.ComputeSeriesStatistics"/>; used by <see cref="SequenceWindowOptions.Standardization"/>
/// and <see cref="Seq2SeqCatalog.SplitSequenceWindowsChronologically"/>.
/// </summary>
/// <remarks>
/// The standard deviation is the population one (ddof = 0, as numpy's <c>std</c> and scikit-learn's
/// <c>StandardScaler</c>), computed in double precision from the values as Single. Standardizing maps v to
/// (v − mean) / scale, where scale is the standard deviation, or 1 for a column that is constant over the rows
/// (as scikit-learn does), so a constant column becomes 0 instead of NaN.
/// </remarks>
public sealed class SeriesStatistics
{
    private readonly string[] _columnNames;
    private readonly double[] _means;
    private readonly double[] _standardDeviations;

    /// <summary>Statistics saved inside a model: for each column, its name when <paramref name="names"/> is null (else the
    /// given name), then its mean and standard deviation as doubles. Damage is an <see cref="System.IO.InvalidDataException"/>
    /// naming <paramref name="what"/>.</summary>
    internal static SeriesStatistics ReadSaved(System.IO.BinaryReader reader, int count, IReadOnlyList<string>? names, string what)
    {
        MLNetSeq2Seq.MLNetInterop.BytesLeft.Require(reader, count, names is null ? 17 : 16, $"the {what}"); // [a name,] a mean and a deviation each
        var columns = new string[count];
        var means = new double[count];
        var deviations = new double[count];
        for (int i = 0; i < count; i++)
        {
            columns[i] = names is null ? reader.ReadString() : names[i];
            means[i] = reader.ReadDouble();
            deviations[i] = reader.ReadDouble();
        }
        try
        {
            return new SeriesStatistics(columns, means, deviations);
        }
        catch (ArgumentException e)
        {
            throw new System.IO.InvalidDataException($"the {what} are damaged: " + e.Message, e);
        }
    }

    /// <summary>Statistics given directly, for example saved from an earlier run.</summary>
    /// <param name="columnNames">The columns, in the order of the other two lists.</param>
    /// <param name="means">The mean of each column.</param>
    /// <param name="standardDeviations">The standard deviation (ddof = 0) of each column, ≥ 0.</param>
    /// <param name="firstRow">The first series row the statistics were computed from (informational). Default 0.</param>
    /// <param name="rowCount">How many rows they were computed from (informational). Default 0: unknown.</param>
    /// <exception cref="ArgumentException">The lists differ in length, a name is blank or repeated, or a value is not finite or a deviation is negative.</exception>
    public SeriesStatistics(IReadOnlyList<string> columnNames, IReadOnlyList<double> means, IReadOnlyList<double> standardDeviations,
        long firstRow = 0, long rowCount = 0)
    {
        ArgumentNullException.ThrowIfNull(columnNames);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(standardDeviations);
        if (means.Count != columnNames.Count || standardDeviations.Count != columnNames.Count)
            throw new ArgumentException($"{columnNames.Count} column names need as many means and standard deviations; got {means.Count} and {standardDeviations.Count}.");
        for (int i = 0; i < columnNames.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(columnNames[i]) || columnNames.Take(i).Contains(columnNames[i]))
                throw new ArgumentException($"Column name {i} ('{columnNames[i]}') is blank or repeated.", nameof(columnNames));
            if (!double.IsFinite(means[i]) || !double.IsFinite(standardDeviations[i]) || standardDeviations[i] < 0)
                throw new ArgumentException($"Column '{columnNames[i]}' has mean {means[i]} and standard deviation {standardDeviations[i]}; both must be finite and the deviation ≥ 0.");
        }
        _columnNames = columnNames.ToArray();
        _means = means.ToArray();
        _standardDeviations = standardDeviations.ToArray();
        FirstRow = firstRow;
        RowCount = rowCount;
    }

    /// <summary>The columns, in the order of <see cref="Means"/> and <see cref="StandardDeviations"/>.</summary>
    public IReadOnlyList<string> ColumnNames => _columnNames;

    /// <summary>The mean of each column over the rows.</summary>
    public IReadOnlyList<double> Means => _means;

    /// <summary>The population standard deviation (ddof = 0) of each column over the rows.</summary>
    public IReadOnlyList<double> StandardDeviations => _standardDeviations;

    /// <summary>The first row (0-based, in the whole series) the statistics were computed from.</summary>
    public long FirstRow { get; }

    /// <summary>How many consecutive rows, from <see cref="FirstRow"/>, the statistics were computed from.</summary>
    public long RowCount { get; }

    /// <summary>The position of <paramref name="columnName"/> in <see cref="ColumnNames"/>, or −1.</summary>
    public int IndexOf(string columnName) => Array.IndexOf(_columnNames, columnName);

    /// <summary>(value − mean) / scale for the column (scale: the standard deviation, or 1 when it is 0).</summary>
    public double Standardize(string columnName, double value) => (value - _means[Checked(columnName)]) / Scale(Checked(columnName));

    /// <summary>value × scale + mean for the column: the inverse of <see cref="Standardize"/>.</summary>
    public double Unstandardize(string columnName, double value) => value * Scale(Checked(columnName)) + _means[Checked(columnName)];

    /// <summary>
    /// Maps a time-major sequence back to the series' units, for example a predicted Score or a Label:
    /// <paramref name="values"/> holds steps of <paramref name="columnNames"/>.Count values each (value i belongs to
    /// column i mod count), and each is replaced by value × scale + mean of its column.
    /// </summary>
    /// <param name="values">H × O values, time-major, as the Label and Score columns hold them.</param>
    /// <param name="columnNames">The columns of one step, usually <see cref="SequenceWindowOptions.TargetColumnNames"/>.</param>
    /// <returns>A new array in the series' units.</returns>
    /// <exception cref="ArgumentException">A column has no statistics, or the length is not a multiple of the column count.</exception>
    public float[] Unstandardize(ReadOnlySpan<float> values, IReadOnlyList<string> columnNames)
    {
        ArgumentNullException.ThrowIfNull(columnNames);
        if (columnNames.Count == 0 || values.Length % columnNames.Count != 0)
            throw new ArgumentException($"{values.Length} values are not whole steps of {columnNames.Count} columns.", nameof(values));
        int[] columns = columnNames.Select(Checked).ToArray();
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int c = columns[i % columns.Length];
            result[i] = (float)(values[i] * Scale(c) + _means[c]);
        }
        return result;
    }

    /// <summary>The divisor used for column <paramref name="index"/>: its standard deviation, or 1 when that is 0.</summary>
    internal double Scale(int index) => _standardDeviations[index] > 0 ? _standardDeviations[index] : 1.0;

    internal double Mean(int index) => _means[index];

    private int Checked(string columnName)
    {
        int index = IndexOf(columnName);
        if (index < 0)
            throw new ArgumentException($"No statistics for column '{columnName}'; they cover {string.Join(", ", _columnNames.Select(c => $"'{c}'"))}.", nameof(columnName));
        return index;
    }
}
