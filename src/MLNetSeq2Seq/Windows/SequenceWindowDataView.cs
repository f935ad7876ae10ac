using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Columns;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Windows;

/// <summary>
/// Sliding windows over a <see cref="SeriesTable"/>: in each series' range of rows, window k starts at row
/// First + k × Stride and exists while its InputLength + Horizon rows end at or before the range's end; windows are
/// numbered series after series (<see cref="WindowPlacement"/>), so none crosses from one series into another. Each row's feature and label
/// vectors are built when a cursor asks for them, from the shared buffer; nothing is copied per window in advance.
/// Random access makes shuffling cheap, so <see cref="CanShuffle"/> is true.
/// </summary>
internal sealed class SequenceWindowDataView : IDataView
{
    private readonly SeriesTable _table;
    private readonly int[] _inputColumns;
    private readonly int[] _targetColumns;
    // The columns are all of the table's, in order: a window's steps are one contiguous slice of the buffer.
    private readonly bool _inputsAreWholeRows;
    private readonly bool _targetsAreWholeRows;
    private readonly int _inputLength;
    private readonly int _horizon;
    private readonly int _stride;
    // Known-future features: the spec, its columns in the table, and (label windows) each table row's calendar values.
    private readonly FutureFeatureSpec? _future;
    private readonly int[] _futureColumns = Array.Empty<int>();
    private readonly float[]? _calendar;

    private readonly WindowPlacement _placement;

    /// <summary>Windows whose every row lies in series rows [firstRow, endRow), which the table must hold; with
    /// <see cref="SequenceWindowOptions.TrailingWindowCount"/>, the last windows whose inputs end at endRow, without labels.
    /// <paramref name="statistics"/>: what the table was standardized with (recorded on the label column), or null.</summary>
    public SequenceWindowDataView(SeriesTable table, SequenceWindowOptions options, long firstRow, long endRow, SeriesStatistics? statistics)
        : this(table, options, new[] { new WindowRange(table.Segments[0], firstRow, endRow) }, statistics, null)
    {
    }

    /// <summary>Windows of many series: for each range, the windows within that series' rows [First, End) (rows counted
    /// within the series); ranges of series to leave out are simply not given. <paramref name="perSeries"/>: the
    /// statistics each series was standardized with, when per series.</summary>
    public SequenceWindowDataView(SeriesTable table, SequenceWindowOptions options, IReadOnlyList<WindowRange> ranges, SeriesStatistics? statistics, PerSeriesStatistics? perSeries)
    {
        foreach (WindowRange range in ranges)
            if (range.First < table.FirstRow || range.End > table.FirstRow + range.Segment.RowCount || range.First > range.End)
                throw new InvalidOperationException($"Window rows [{range.First}, {range.End}) of {range.Segment.Describe()} are not within the rows read, [{table.FirstRow}, {table.FirstRow + range.Segment.RowCount}).");
        _table = table;
        _inputColumns = options.InputColumnNames.Select(table.IndexOf).ToArray();
        _targetColumns = options.EffectiveTargetColumnNames.Select(table.IndexOf).ToArray();
        _inputsAreWholeRows = AreWholeRows(_inputColumns, table.ColumnCount);
        _targetsAreWholeRows = AreWholeRows(_targetColumns, table.ColumnCount);
        _inputLength = options.InputLength;
        _horizon = options.Horizon;
        _stride = options.Stride;
        IsTrailing = options.TrailingWindowCount is not null;
        if (options.TrailingWindowCount is int trailing)
        {
            // The last window's input ends at each range's end; the ranges were checked to hold them all.
            _placement = WindowPlacement.Trailing(ranges, table.FirstRow, _inputLength, _stride, trailing);
            if (options.ForecastStartTimestampColumnName is not null || options.CalendarFeatures != CalendarFeatures.None)
                _steps = ranges.Select(r => SeriesStep(table, r.Segment, options.TimestampColumnName!)).ToArray();
        }
        else
        {
            _placement = WindowPlacement.Labelled(ranges, table.FirstRow, _inputLength, _horizon, _stride);
        }
        WindowCount = _placement.WindowCount;

        _future = options.FutureSpec is FutureFeatureSpec spec ? new FutureFeatureSpec(spec.ColumnNames, spec.Calendar, spec.Holidays, statistics) : null;
        if (_future is not null)
        {
            _futureColumns = _future.ColumnNames.Select(table.IndexOf).ToArray();
            if (!IsTrailing && _future.CalendarCount > 0)
                _calendar = CalendarOfRows(table, _future, options.TimestampColumnName!);
        }

        var builder = new DataViewSchema.Builder();
        builder.AddColumn(options.FeaturesColumnName, new VectorDataViewType(NumberDataViewType.Single, _inputLength, _inputColumns.Length),
            SequenceSlotNames.Add(new DataViewSchema.Annotations.Builder(), SequenceSlotNames.ForInputs(options.InputColumnNames, _inputLength)).ToAnnotations());
        if (!IsTrailing)
        {
            var series = new TrainingSeries(options.InputColumnNames, options.EffectiveTargetColumnNames, _inputLength, statistics)
            {
                SeriesColumnName = options.SeriesColumnName,
                PerSeriesStatistics = perSeries,
            };
            builder.AddColumn(options.LabelColumnName, new VectorDataViewType(NumberDataViewType.Single, _horizon, _targetColumns.Length),
                LabelAnnotations(TargetInputIndices, _stride, SequenceSlotNames.ForTargets(options.EffectiveTargetColumnNames, _horizon), series, _future));
        }
        if (_future is not null)
            builder.AddColumn(options.FutureFeaturesColumnName, new VectorDataViewType(NumberDataViewType.Single, _horizon, _future.Count),
                SequenceSlotNames.Add(new DataViewSchema.Annotations.Builder(), SequenceSlotNames.ForTargets(_future.ValueNames().ToArray(), _horizon)).ToAnnotations());
        if (options.WindowStartColumnName is not null)
            builder.AddColumn(options.WindowStartColumnName, NumberDataViewType.Int64);
        if (options.TimestampColumnName is not null)
            builder.AddColumn(options.TimestampColumnName, table.PassThrough!.Type);
        if (options.ForecastStartTimestampColumnName is not null)
            builder.AddColumn(options.ForecastStartTimestampColumnName, IsTrailing ? DateTimeDataViewType.Instance : table.PassThrough!.Type);
        if (options.SeriesColumnName is not null)
            builder.AddColumn(options.SeriesColumnName, table.SeriesIds!.Type);
        Schema = builder.ToSchema();
        FeaturesColumn = Schema[options.FeaturesColumnName].Index;
        LabelColumn = IsTrailing ? -1 : Schema[options.LabelColumnName].Index;
        WindowStartColumn = options.WindowStartColumnName is null ? -1 : Schema[options.WindowStartColumnName].Index;
        TimestampColumn = options.TimestampColumnName is null ? -1 : Schema[options.TimestampColumnName].Index;
        ForecastStartTimestampColumn = options.ForecastStartTimestampColumnName is null ? -1 : Schema[options.ForecastStartTimestampColumnName].Index;
        SeriesColumn = options.SeriesColumnName is null ? -1 : Schema[options.SeriesColumnName].Index;
        FutureFeaturesColumn = _future is null ? -1 : Schema[options.FutureFeaturesColumnName].Index;
    }

    /// <summary>The calendar values of every table row (rows × C), from its timestamp; an error names a row that holds none.</summary>
    private static float[] CalendarOfRows(SeriesTable table, FutureFeatureSpec future, string timestampColumn)
    {
        int width = future.CalendarCount;
        var values = new float[table.RowCount * width];
        for (int r = 0; r < table.RowCount; r++)
        {
            DateTime time = table.PassThrough!.TimestampAt(r)
                ?? throw new ArgumentException($"{nameof(SequenceWindowOptions.CalendarFeatures)} needs times in {nameof(SequenceWindowOptions.TimestampColumnName)} '{timestampColumn}', but series row {table.FirstRow + r} holds "
                    + $"'{table.PassThrough.Describe(r)}' (DateTime, DateTimeOffset, or text DateTime.Parse reads with the invariant culture).", nameof(SequenceWindowOptions.CalendarFeatures));
            future.WriteCalendar(time, values.AsSpan(r * width, width));
        }
        return values;
    }

    /// <summary>The known-future features, or null when the windows carry none.</summary>
    internal FutureFeatureSpec? Future => _future;

    /// <summary>Values of the future-feature column: Horizon × K.</summary>
    public int FutureLength => _horizon * (_future?.Count ?? 0);

    /// <summary>Writes the window's known-future features, time-major [H, K]: for forecast step h (series row start + L + h)
    /// the future columns' values, then the calendar of its timestamp (a trailing window's from its forecast start and the step).</summary>
    public void CopyFutureFeatures(int window, Span<float> destination)
    {
        FutureFeatureSpec future = _future!;
        int width = future.Count, columns = _futureColumns.Length, calendar = future.CalendarCount;
        ReadOnlySpan<float> values = _table.Values;
        for (int h = 0; h < _horizon; h++)
        {
            Span<float> step = destination.Slice(h * width, width);
            if (IsTrailing)
            {
                // Validation keeps future columns off trailing windows: only the calendar, from computed timestamps.
                future.WriteCalendar(ForecastStart(window) + h * _steps![_placement.SeriesIndex(window)], step.Slice(columns));
                continue;
            }
            int row = TableRow(window, _inputLength + h);
            for (int k = 0; k < columns; k++)
                step[k] = values[row * _table.ColumnCount + _futureColumns[k]];
            if (calendar > 0)
                _calendar.AsSpan(row * calendar, calendar).CopyTo(step.Slice(columns));
        }
    }

    public int WindowCount { get; }

    /// <summary>Input steps per window; the first target row is the start row + this.</summary>
    public int InputLength => _inputLength;

    public int FeatureLength => _inputLength * _inputColumns.Length;

    /// <summary>For each target column, its position among the input columns, or −1 when it is not an input.</summary>
    public int[] TargetInputIndices => _targetColumns.Select(t => Array.IndexOf(_inputColumns, t)).ToArray();

    /// <summary>
    /// The annotation on the label column that tells the trainer which input column each target is (when every target is
    /// an input). An annotation, not a property of this view, so that it survives pipelines: ML.NET transforms pass
    /// the label column through with its annotations.
    /// </summary>
    public const string TargetInputIndicesAnnotation = "MLNetSeq2Seq.TargetInputIndices";

    /// <summary>The annotation on the label column that holds the window stride, for the validation gap.</summary>
    public const string StrideAnnotation = "MLNetSeq2Seq.WindowStride";

    private static DataViewSchema.Annotations LabelAnnotations(int[] targets, int stride, string[] slotNames, TrainingSeries series, FutureFeatureSpec? future)
    {
        var annotations = SequenceSlotNames.Add(new DataViewSchema.Annotations.Builder(), slotNames);
        series.AddTo(annotations);
        future?.AddTo(annotations);
        annotations.Add(StrideAnnotation, NumberDataViewType.Int32, (ref int value) => value = stride);
        if (targets.All(i => i >= 0))
            annotations.Add(TargetInputIndicesAnnotation, new VectorDataViewType(NumberDataViewType.Int32, targets.Length),
                (ref VBuffer<int> value) => value = new VBuffer<int>(targets.Length, (int[])targets.Clone()));
        return annotations.ToAnnotations();
    }

    /// <summary>The window stride a label column carries from a window view, or null.</summary>
    public static int? StrideOf(DataViewSchema.Column label)
    {
        if (label.Annotations.Schema.GetColumnOrNull(StrideAnnotation) is not DataViewSchema.Column column || column.Type != NumberDataViewType.Int32)
            return null;
        int stride = 0;
        label.Annotations.GetValue(StrideAnnotation, ref stride);
        return stride > 0 ? stride : null;
    }

    /// <summary>The target mapping a label column carries from a window view, or null.</summary>
    public static int[]? TargetInputIndicesOf(DataViewSchema.Column label)
    {
        if (label.Annotations.Schema.GetColumnOrNull(TargetInputIndicesAnnotation) is not DataViewSchema.Column column
            || column.Type is not VectorDataViewType { ItemType: NumberDataViewType } vector || vector.ItemType != NumberDataViewType.Int32)
            return null;
        VBuffer<int> value = default;
        label.Annotations.GetValue(TargetInputIndicesAnnotation, ref value);
        return value.DenseValues().ToArray();
    }

    public int LabelLength => _horizon * _targetColumns.Length;

    /// <summary>Trailing windows: inputs up to the end, no label (<see cref="SequenceWindowOptions.TrailingWindowCount"/>).</summary>
    public bool IsTrailing { get; }

    // Per placed series: its step, for trailing windows' forecast timestamps.
    private readonly TimeSpan[]? _steps;

    /// <summary>A trailing window's forecast start: the timestamp of its last input row plus its series' step.</summary>
    public DateTime ForecastStart(int window) => _table.PassThrough!.TimestampAt(TableRow(window, _inputLength - 1))!.Value + _steps![_placement.SeriesIndex(window)];

    /// <summary>A series' step: the difference between its last two timestamps, which must be times, increasing.</summary>
    internal static TimeSpan SeriesStep(SeriesTable table, SeriesSegment segment, string timestampColumn)
    {
        SeriesPassThroughValues values = table.PassThrough!;
        string option = nameof(SequenceWindowOptions.TimestampColumnName);
        string of = segment.Id.Length == 0 ? "" : $" of {segment.Describe()}";
        if (segment.RowCount < 2)
            throw new ArgumentException($"Forecast timestamps need the series' step, the difference between its last two timestamps, but only {segment.RowCount} row{of} was read ({option} '{timestampColumn}').", option);
        int last = segment.TableEnd - 1;
        DateTime? before = values.TimestampAt(last - 1), end = values.TimestampAt(last);
        if (before is null || end is null)
            throw new ArgumentException($"Forecast timestamps need {option} '{timestampColumn}' to hold times (DateTime, DateTimeOffset, or text DateTime.Parse reads with the invariant culture); "
                + $"series row {table.SourceRow(end is null ? last : last - 1)}{of} holds '{values.Describe(end is null ? last : last - 1)}'.", option);
        if (end <= before)
            throw new ArgumentException($"Forecast timestamps need increasing times in {option} '{timestampColumn}', but its last two rows{of} ({table.SourceRow(last - 1)} and {table.SourceRow(last)}) hold {before:O} and {end:O}.", option);
        return end.Value - before.Value;
    }

    internal int FeaturesColumn { get; }

    internal int LabelColumn { get; }

    internal int WindowStartColumn { get; }

    internal int TimestampColumn { get; }

    internal int ForecastStartTimestampColumn { get; }

    /// <summary>The series id column (<see cref="SequenceWindowOptions.SeriesColumnName"/>), or −1.</summary>
    internal int SeriesColumn { get; }

    internal int FutureFeaturesColumn { get; }

    internal SeriesPassThroughValues? PassThrough => _table.PassThrough;

    internal SeriesPassThroughValues? SeriesIds => _table.SeriesIds;

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <summary>True: windows are served by index, in any order.</summary>
    public bool CanShuffle => true;

    /// <summary>The number of windows.</summary>
    public long? GetRowCount() => WindowCount;

    /// <summary>The series row of window <paramref name="window"/>'s first input step (counted within its series).</summary>
    public long StartRow(int window) => _placement.StartRow(window);

    /// <summary>The table row of window <paramref name="window"/>'s first input step, plus <paramref name="offset"/> rows.</summary>
    public int TableRow(int window, int offset) => _placement.TableRow(window, offset);

    /// <summary>Series rows between window starts.</summary>
    public int Stride => _stride;

    /// <summary>Target steps per window.</summary>
    public int Horizon => _horizon;

    /// <summary>
    /// The series rows these windows read, once, as tensors on <paramref name="device"/>: the input columns (T, F) and the
    /// target columns (T, O), each in the order of the window columns (one tensor twice, as two handles, when both are
    /// the table's columns in order), and the tensor row where each window starts (only the table rows from window 0's
    /// start to the last window's end are moved; with many series, the rows between lie in the same table).
    /// </summary>
    internal (Tensor Inputs, Tensor Targets, long[] Starts) SeriesTensors(Device device)
    {
        var (inputs, targets, _, starts) = SeriesTensors(device, withFuture: false);
        return (inputs, targets, starts);
    }

    /// <summary>As <see cref="SeriesTensors(Device)"/>, plus (with <paramref name="withFuture"/>) the known-future
    /// features of the same rows, (rows, K): each row's future columns, then its calendar values; a window's block is
    /// rows start + L … start + L + H − 1, as <see cref="CopyFutureFeatures"/> writes it.</summary>
    internal (Tensor Inputs, Tensor Targets, Tensor? Future, long[] Starts) SeriesTensors(Device device, bool withFuture)
    {
        int width = _table.ColumnCount;
        long[] starts = _placement.TableStarts();
        int first = WindowCount == 0 ? 0 : (int)starts[0];
        int rows = WindowCount == 0 ? 0 : (int)starts.Max() + _inputLength + _horizon - first;
        for (int k = 0; k < starts.Length; k++)
            starts[k] -= first;
        using var scope = torch.NewDisposeScope();
        Tensor table = torch.zeros(new long[] { rows, width }, ScalarType.Float32);
        table.data<float>().CopyFrom(_table.Values.Slice(first * width, rows * width), 0, 0);
        if (device.type != DeviceType.CPU)
            table = table.to(device);
        Tensor Columns(int[] columns, bool wholeRows)
        {
            if (wholeRows)
                return table.alias();
            using Tensor index = torch.tensor(columns.Select(c => (long)c).ToArray(), dtype: ScalarType.Int64, device: table.device);
            return table.index_select(1, index).contiguous();
        }
        Tensor inputs = Columns(_inputColumns, _inputsAreWholeRows), targets = Columns(_targetColumns, _targetsAreWholeRows);
        Tensor? future = withFuture ? FutureSeries(first, rows, device) : null;
        return (inputs.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope(), future?.MoveToOuterDisposeScope(), starts);
    }

    private Tensor FutureSeries(int firstRow, int rows, Device device)
    {
        if (_future is null || IsTrailing)
            throw new InvalidOperationException("These windows carry no labelled known-future features.");
        int width = _future.Count, columns = _futureColumns.Length, calendar = _future.CalendarCount;
        ReadOnlySpan<float> values = _table.Values;
        var series = new float[(long)rows * width];
        for (int r = 0; r < rows; r++)
        {
            int row = firstRow + r;
            Span<float> step = series.AsSpan(r * width, width);
            for (int k = 0; k < columns; k++)
                step[k] = values[row * _table.ColumnCount + _futureColumns[k]];
            if (calendar > 0)
                _calendar.AsSpan(row * calendar, calendar).CopyTo(step.Slice(columns));
        }
        Tensor onCpu = torch.zeros(new long[] { rows, width }, ScalarType.Float32);
        onCpu.data<float>().CopyFrom(series, 0, 0);
        return device.type == DeviceType.CPU ? onCpu : onCpu.to(device);
    }

    /// <summary>Writes the window's inputs, time-major: step t, column f at t × F + f.</summary>
    public void CopyFeatures(int window, Span<float> destination) => Copy(TableRow(window, 0), _inputLength, _inputColumns, _inputsAreWholeRows, destination);

    /// <summary>Writes the window's targets (the Horizon rows after its inputs), time-major.</summary>
    public void CopyLabel(int window, Span<float> destination) => Copy(TableRow(window, _inputLength), _horizon, _targetColumns, _targetsAreWholeRows, destination);

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        foreach (DataViewSchema.Column column in columnsNeeded)
        {
            if (column.Index < 0 || column.Index >= Schema.Count || Schema[column.Index].Name != column.Name)
                throw new ArgumentOutOfRangeException(nameof(columnsNeeded), $"Column '{column.Name}' is not a column of these windows.");
            active[column.Index] = true;
        }
        return new SequenceWindowCursor(this, active, rand is null ? null : ShuffledOrder(rand));
    }

    /// <summary>One cursor: building a window is a copy, too cheap to be worth splitting.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };

    private static bool AreWholeRows(int[] columns, int width) =>
        columns.Length == width && columns.Select((c, i) => c == i).All(same => same);

    private void Copy(int tableRow, int steps, int[] columns, bool wholeRows, Span<float> destination)
    {
        ReadOnlySpan<float> values = _table.Values;
        int width = _table.ColumnCount;
        if (wholeRows)
        {
            values.Slice(tableRow * width, steps * width).CopyTo(destination);
            return;
        }
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<float> row = values.Slice((tableRow + t) * width, width);
            Span<float> step = destination.Slice(t * columns.Length, columns.Length);
            for (int f = 0; f < columns.Length; f++)
                step[f] = row[columns[f]];
        }
    }

    private int[] ShuffledOrder(Random rand)
    {
        int[] order = Enumerable.Range(0, WindowCount).ToArray();
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rand.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
