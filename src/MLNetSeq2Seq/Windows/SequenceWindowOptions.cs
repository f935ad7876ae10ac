using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetSeq2Seq;

/// <summary>
/// How <see cref="Seq2SeqCatalog.CreateSequenceWindows"/> cuts a long multivariate series (one row per time step,
/// in time order) into sliding windows: each window is one output row whose feature column holds
/// <see cref="InputLength"/> consecutive steps of the input columns and whose label column holds the
/// <see cref="Horizon"/> steps that follow, of the target columns. Both are float vectors, time-major, with
/// dimensions [steps, columns], which is what the Seq2Seq trainer reads.
/// </summary>
/// <remarks>
/// Source value columns may be Single (float), Double, or any integer type. Everything is converted to Single,
/// the trainer's type: a Double keeps about 7 significant digits, an integer above 2^24 in magnitude is rounded,
/// and a value beyond the Single range (±3.4e38) is an error like NaN.
/// </remarks>
public sealed class SequenceWindowOptions
{
    // ---- Columns read from the series ----

    /// <summary>
    /// The series' columns that form each input step, in this order (F = their count). Numeric scalar columns:
    /// Single, Double or an integer type. Required; no default.
    /// </summary>
    public string[] InputColumnNames { get; set; } = Array.Empty<string>();

    /// <summary>
    /// The series' columns that form each predicted step, in this order (O = their count). Null: the same as
    /// <see cref="InputColumnNames"/> (the ETT "multivariate" setting). Default null.
    /// </summary>
    public string[]? TargetColumnNames { get; set; }

    // ---- Window shape ----

    /// <summary>Input steps per window (L), in rows of the series. Required, at least 1.</summary>
    public int InputLength { get; set; }

    /// <summary>Predicted steps per window (H), in rows of the series, starting right after the input. Required, at least 1.</summary>
    public int Horizon { get; set; }

    /// <summary>Rows between the starts of consecutive windows. Default 1 (every possible window).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>
    /// Forecasting past the end: when set to N, the view holds only the last N windows whose inputs end at the last row
    /// used (the last window's input is the final <see cref="InputLength"/> rows; each earlier one ends
    /// <see cref="Stride"/> rows before the next), and has no label column — their targets lie in the future.
    /// <see cref="ForecastStartTimestampColumnName"/> is then a DateTime computed as the timestamp of the window's last
    /// input row plus the series' step (the difference between the last two timestamps; text timestamps are parsed
    /// with the invariant culture). Score these windows with Transform, or use
    /// <see cref="Seq2SeqTransformer.CreateForecastEngine"/>. Default null: every window with a label.
    /// </summary>
    public int? TrailingWindowCount { get; set; }

    // ---- Rows of the series to use ----

    /// <summary>The first row (0-based) of the series that windows may use. Default 0.</summary>
    public long FirstRow { get; set; }

    /// <summary>How many rows from <see cref="FirstRow"/> windows may use. Null: to the end of the series. Default null.</summary>
    public long? RowCount { get; set; }

    // ---- Output columns ----

    /// <summary>The output feature column: Single vector with dimensions [InputLength, F]. Default "Features".</summary>
    public string FeaturesColumnName { get; set; } = "Features";

    /// <summary>The output label column: Single vector with dimensions [Horizon, O]. Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// When set, an output Int64 column of this name holds the row index (0-based, counted in the whole series) of
    /// each window's first input step; its first target step is that row + <see cref="InputLength"/>. Default null.
    /// </summary>
    public string? WindowStartColumnName { get; set; }

    /// <summary>
    /// When set, this scalar column of the series (for example the ETT "date" column, as text or DateTime) is
    /// copied to the output under the same name, with the value at each window's first input row. Default null.
    /// </summary>
    public string? TimestampColumnName { get; set; }

    /// <summary>
    /// When set (needs <see cref="TimestampColumnName"/>), an output column of this name holds the
    /// <see cref="TimestampColumnName"/> value at each window's first target row (with
    /// <see cref="TrailingWindowCount"/>: a DateTime computed from the series' step). Default null.
    /// </summary>
    public string? ForecastStartTimestampColumnName { get; set; }

    // ---- Known-future inputs ----

    /// <summary>
    /// Series columns whose values are known in advance (planned events, price plans, ...): for every forecast step,
    /// their values at that step go into <see cref="FutureFeaturesColumnName"/>, which the trainer feeds to the decoder
    /// (<see cref="Seq2SeqOptions.FutureFeatureColumnName"/>). Numeric scalar columns; they may also be inputs (their
    /// past values). Standardized with <see cref="Standardization"/> (or the split's statistics) like the inputs.
    /// Not allowed with <see cref="TrailingWindowCount"/> (their future values are not in the series): forecast past the
    /// end with <see cref="Seq2SeqForecastEngine.Predict(Microsoft.ML.IDataView)"/>, which takes them. Past-only
    /// covariates (observed, not known ahead) belong in <see cref="InputColumnNames"/>. Default null: none.
    /// </summary>
    public string[]? FutureColumnNames { get; set; }

    /// <summary>
    /// Calendar features of each forecast step's timestamp, after the <see cref="FutureColumnNames"/> values in
    /// <see cref="FutureFeaturesColumnName"/> (see <see cref="MLNetSeq2Seq.CalendarFeatures"/> for the values); needs
    /// <see cref="TimestampColumnName"/>. Default <see cref="MLNetSeq2Seq.CalendarFeatures.None"/>.
    /// </summary>
    public CalendarFeatures CalendarFeatures { get; set; }

    /// <summary>The dates (date part) on which <see cref="MLNetSeq2Seq.CalendarFeatures.Holiday"/> is 1; needed with that
    /// flag, not allowed without it. Default null.</summary>
    public DateTime[]? Holidays { get; set; }

    /// <summary>
    /// The output column of known-future features, present when <see cref="FutureColumnNames"/> or
    /// <see cref="CalendarFeatures"/> is set: Single vector [Horizon, K], the values of series rows start + L … start + L + H − 1
    /// (K = future columns + calendar values). Default "FutureFeatures".
    /// </summary>
    public string FutureFeaturesColumnName { get; set; } = "FutureFeatures";

    /// <summary>Whether the windows carry a future-feature column.</summary>
    internal bool HasFutureFeatures => (FutureColumnNames?.Length ?? 0) > 0 || CalendarFeatures != CalendarFeatures.None;

    /// <summary>The known-future features these options describe, or null.</summary>
    internal Windows.FutureFeatureSpec? FutureSpec => HasFutureFeatures ? new Windows.FutureFeatureSpec(FutureColumnNames, CalendarFeatures, Holidays) : null;

    // ---- Scaling ----

    /// <summary>
    /// When set, every value v of a column c is replaced by (v − mean_c) / scale_c with these fixed statistics
    /// before windowing (scale_c is the standard deviation, or 1 where it is 0); every input and target column
    /// must be among <see cref="SeriesStatistics.ColumnNames"/>. Compute them over training rows only with
    /// <see cref="Seq2SeqCatalog.ComputeSeriesStatistics"/>. Default null: values as read.
    /// </summary>
    public SeriesStatistics? Standardization { get; set; }

    // ---- Many series (long form: a series id, a timestamp and values per row) ----

    /// <summary>
    /// When set, this column (text, a key, or a number) holds each row's series id, and the rows form many series:
    /// windows are cut from each series separately and never cross from one into another; the id is copied to every
    /// output row under the same name. Rows of one series must be in time order; series may be contiguous or
    /// interleaved (rows of different ids mixed, for example sorted by time): they are regrouped in order of first
    /// appearance. <see cref="FirstRow"/>, <see cref="RowCount"/> and <see cref="WindowStartColumnName"/> then count rows
    /// within each series, <see cref="TrailingWindowCount"/> gives the last windows of each series, and with
    /// <see cref="TimestampColumnName"/> each series' timestamps must increase. A missing id (blank text, NaN, key 0) is
    /// an error naming its row. Default null: the rows are one series.
    /// </summary>
    public string? SeriesColumnName { get; set; }

    /// <summary>
    /// With <see cref="SeriesColumnName"/>, which statistics <see cref="Seq2SeqCatalog.SplitSequenceWindowsChronologically"/>
    /// computes when it standardizes: one set over the training rows of all series, or each series' own
    /// (<see cref="SequenceWindowSplit.PerSeriesStatistics"/>). Default <see cref="SeriesStandardization.Global"/>.
    /// </summary>
    public SeriesStandardization SeriesStandardization { get; set; } = SeriesStandardization.Global;

    /// <summary>
    /// With <see cref="SeriesColumnName"/>: fixed statistics per series (from an earlier split), applied to each series
    /// before windowing as <see cref="Standardization"/> is to one; every series read must have them. Default null.
    /// </summary>
    public PerSeriesStatistics? PerSeriesStandardization { get; set; }

    /// <summary>
    /// With <see cref="SeriesColumnName"/>: what to do with a series too short for one window (fewer than
    /// <see cref="InputLength"/> + <see cref="Horizon"/> rows in the range used, or a split part without a window).
    /// Default <see cref="ShortSeriesHandling.Throw"/>.
    /// </summary>
    public ShortSeriesHandling ShortSeries { get; set; } = ShortSeriesHandling.Throw;

    private void ValidateManySeries()
    {
        if (SeriesColumnName is null)
        {
            if (SeriesStandardization != SeriesStandardization.Global || PerSeriesStandardization is not null)
                throw new ArgumentException($"{nameof(SeriesStandardization)} = {SeriesStandardization} and {nameof(PerSeriesStandardization)} need {nameof(SeriesColumnName)}: the column that tells the series apart.", nameof(SeriesColumnName));
            return;
        }
        RequireName(SeriesColumnName, nameof(SeriesColumnName));
        if (!Enum.IsDefined(SeriesStandardization))
            throw new ArgumentOutOfRangeException(nameof(SeriesStandardization), SeriesStandardization, $"{nameof(SeriesStandardization)} must be Global or PerSeries.");
        if (!Enum.IsDefined(ShortSeries))
            throw new ArgumentOutOfRangeException(nameof(ShortSeries), ShortSeries, $"{nameof(ShortSeries)} must be Throw or Skip.");
        if (InputColumnNames.Contains(SeriesColumnName) || EffectiveTargetColumnNames.Contains(SeriesColumnName))
            throw new ArgumentException($"{nameof(SeriesColumnName)} '{SeriesColumnName}' is also a value column; the id column cannot be an input or a target.", nameof(SeriesColumnName));
        if (PerSeriesStandardization is not null)
        {
            if (Standardization is not null)
                throw new ArgumentException($"Both {nameof(Standardization)} and {nameof(PerSeriesStandardization)} are set; give one.", nameof(PerSeriesStandardization));
            string? missing = InputColumnNames.Concat(EffectiveTargetColumnNames).FirstOrDefault(c => !PerSeriesStandardization.ColumnNames.Contains(c));
            if (missing is not null)
                throw new ArgumentException($"{nameof(PerSeriesStandardization)} has no statistics for column '{missing}'; it covers {string.Join(", ", PerSeriesStandardization.ColumnNames.Select(c => $"'{c}'"))}.", nameof(PerSeriesStandardization));
        }
    }

    /// <summary>The target columns in effect: <see cref="TargetColumnNames"/>, or the input columns when it is null.</summary>
    internal IReadOnlyList<string> EffectiveTargetColumnNames => TargetColumnNames ?? InputColumnNames;

    /// <summary>
    /// Checks every option and throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/>
    /// naming the first one that is wrong. The window functions call it before reading the series.
    /// </summary>
    public void Validate()
    {
        RequireColumnList(InputColumnNames, nameof(InputColumnNames));
        if (TargetColumnNames is not null)
            RequireColumnList(TargetColumnNames, nameof(TargetColumnNames));
        RequirePositive(InputLength, nameof(InputLength));
        RequirePositive(Horizon, nameof(Horizon));
        RequirePositive(Stride, nameof(Stride));
        if (TrailingWindowCount is int trailing)
            RequirePositive(trailing, nameof(TrailingWindowCount));
        if (FirstRow < 0)
            throw new ArgumentOutOfRangeException(nameof(FirstRow), FirstRow, $"{nameof(FirstRow)} must be ≥ 0 (it is {FirstRow}).");
        if (RowCount is long rows && rows < RowsNeeded)
            throw new ArgumentOutOfRangeException(nameof(RowCount), rows, $"{nameof(RowCount)} = {rows} is too small: {DescribeRowsNeeded()}.");
        RequireName(FeaturesColumnName, nameof(FeaturesColumnName));
        RequireName(LabelColumnName, nameof(LabelColumnName));
        if (WindowStartColumnName is not null)
            RequireName(WindowStartColumnName, nameof(WindowStartColumnName));
        if (TimestampColumnName is not null)
            RequireName(TimestampColumnName, nameof(TimestampColumnName));
        if (ForecastStartTimestampColumnName is not null)
        {
            RequireName(ForecastStartTimestampColumnName, nameof(ForecastStartTimestampColumnName));
            if (TimestampColumnName is null)
                throw new ArgumentException($"{nameof(ForecastStartTimestampColumnName)} = '{ForecastStartTimestampColumnName}' needs {nameof(TimestampColumnName)}: the series column to read the timestamp from.", nameof(ForecastStartTimestampColumnName));
        }
        ValidateManySeries();
        ValidateFutureFeatures();
        RequireDistinctOutputNames();
        if (Standardization is not null)
        {
            string? missing = InputColumnNames.Concat(EffectiveTargetColumnNames).Concat(FutureColumnNames ?? Array.Empty<string>()).FirstOrDefault(c => Standardization.IndexOf(c) < 0);
            if (missing is not null)
                throw new ArgumentException($"{nameof(Standardization)} has no statistics for column '{missing}'; it covers {string.Join(", ", Standardization.ColumnNames.Select(c => $"'{c}'"))}.", nameof(Standardization));
        }
    }

    /// <summary>The fewest rows that hold the windows asked for: one window of L + H rows, or with
    /// <see cref="TrailingWindowCount"/> = N, the inputs of N windows, L + (N − 1) × Stride rows.</summary>
    internal long RowsNeeded => TrailingWindowCount is int n ? InputLength + (long)(n - 1) * Stride : (long)InputLength + Horizon;

    internal string DescribeRowsNeeded() => TrailingWindowCount is int n
        ? $"{n} trailing windows need {nameof(InputLength)} + ({nameof(TrailingWindowCount)} − 1) × {nameof(Stride)} = {InputLength} + {n - 1} × {Stride} = {RowsNeeded} rows"
        : $"one window needs {nameof(InputLength)} + {nameof(Horizon)} = {InputLength} + {Horizon} = {RowsNeeded} rows";

    /// <summary>A shallow copy with its own column arrays, so later changes by the caller have no effect.</summary>
    internal SequenceWindowOptions Clone()
    {
        var copy = (SequenceWindowOptions)MemberwiseClone();
        copy.InputColumnNames = (string[])InputColumnNames.Clone();
        copy.TargetColumnNames = (string[]?)TargetColumnNames?.Clone();
        copy.FutureColumnNames = (string[]?)FutureColumnNames?.Clone();
        copy.Holidays = (DateTime[]?)Holidays?.Clone();
        return copy;
    }

    // Output columns must not collide: a later one would hide an earlier one without a word.
    private void RequireDistinctOutputNames()
    {
        var outputs = new List<(string Name, string Option)> { (FeaturesColumnName, nameof(FeaturesColumnName)) };
        if (TrailingWindowCount is null)
            outputs.Add((LabelColumnName, nameof(LabelColumnName)));
        if (WindowStartColumnName is not null)
            outputs.Add((WindowStartColumnName, nameof(WindowStartColumnName)));
        if (TimestampColumnName is not null)
            outputs.Add((TimestampColumnName, nameof(TimestampColumnName)));
        if (ForecastStartTimestampColumnName is not null)
            outputs.Add((ForecastStartTimestampColumnName, nameof(ForecastStartTimestampColumnName)));
        if (SeriesColumnName is not null)
            outputs.Add((SeriesColumnName, nameof(SeriesColumnName)));
        if (HasFutureFeatures)
            outputs.Add((FutureFeaturesColumnName, nameof(FutureFeaturesColumnName)));
        for (int i = 0; i < outputs.Count; i++)
            for (int j = 0; j < i; j++)
                if (outputs[i].Name == outputs[j].Name)
                    throw new ArgumentException($"{outputs[i].Option} and {outputs[j].Option} both name the output column '{outputs[i].Name}'; give them different names.", outputs[i].Option);
    }

    private void ValidateFutureFeatures()
    {
        if (FutureColumnNames is not null)
        {
            RequireColumnList(FutureColumnNames, nameof(FutureColumnNames));
            if (TrailingWindowCount is not null)
                throw new ArgumentException($"{nameof(FutureColumnNames)} is set with {nameof(TrailingWindowCount)}: the future values of {string.Join(", ", FutureColumnNames.Select(c => $"'{c}'"))} "
                    + "after the last row are not in the series. Forecast past the end with the model's forecast engine (CreateForecastEngine, then Predict with the next Horizon rows of those columns).", nameof(FutureColumnNames));
            // The future columns' statistics travel with the model as one set; per-series ones are not supported yet.
            if (SeriesStandardization == SeriesStandardization.PerSeries || PerSeriesStandardization is not null)
                throw new ArgumentException($"{nameof(FutureColumnNames)} is set with per-series standardization ({nameof(SeriesStandardization)} = {SeriesStandardization}"
                    + $"{(PerSeriesStandardization is not null ? $", {nameof(PerSeriesStandardization)} given" : "")}): known-future columns are standardized with one set of statistics. "
                    + $"Use {nameof(SeriesStandardization)}.{nameof(SeriesStandardization.Global)}, or calendar features only ({nameof(CalendarFeatures)}).", nameof(FutureColumnNames));
        }
        if ((CalendarFeatures & ~(CalendarFeatures.All | CalendarFeatures.Holiday)) != 0)
            throw new ArgumentOutOfRangeException(nameof(CalendarFeatures), CalendarFeatures, $"{nameof(CalendarFeatures)} = {(int)CalendarFeatures} holds unknown flags.");
        if (CalendarFeatures != CalendarFeatures.None && TimestampColumnName is null)
            throw new ArgumentException($"{nameof(CalendarFeatures)} = {CalendarFeatures} needs {nameof(TimestampColumnName)}: the series column the calendar is read from.", nameof(CalendarFeatures));
        bool holidayFlag = CalendarFeatures.HasFlag(CalendarFeatures.Holiday);
        if (holidayFlag && Holidays is null)
            throw new ArgumentException($"{nameof(CalendarFeatures)} includes {nameof(CalendarFeatures.Holiday)}, but {nameof(Holidays)} is null: give the holiday dates.", nameof(Holidays));
        if (!holidayFlag && Holidays is not null)
            throw new ArgumentException($"{nameof(Holidays)} is set, but {nameof(CalendarFeatures)} does not include {nameof(CalendarFeatures.Holiday)}: add the flag, or clear {nameof(Holidays)}.", nameof(Holidays));
        if (HasFutureFeatures)
            RequireName(FutureFeaturesColumnName, nameof(FutureFeaturesColumnName));
    }

    private static void RequireColumnList(string[]? names, string option)
    {
        if (names is null || names.Length == 0)
            throw new ArgumentException($"{option} is empty: name at least one numeric column of the series.", option);
        for (int i = 0; i < names.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]))
                throw new ArgumentException($"{option}[{i}] is blank: every entry must name a column of the series.", option);
            if (Array.IndexOf(names, names[i]) != i)
                throw new ArgumentException($"{option} names column '{names[i]}' twice.", option);
        }
    }

    private static void RequireName(string? value, string option)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"{option} must name a column.", option);
    }

    private static void RequirePositive(int value, string option)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be at least 1 (it is {value}).");
    }
}
