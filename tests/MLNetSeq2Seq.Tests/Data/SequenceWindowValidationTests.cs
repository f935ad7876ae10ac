using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

public sealed class SequenceWindowValidationTests
{
    private readonly MLContext _ml = new(seed: 1);

    public static IEnumerable<object[]> BadOptions()
    {
        object[] Case(string option, string messagePart, Action<SequenceWindowOptions> spoil) => new object[] { option, messagePart, spoil };
        yield return Case("InputLength", "InputLength must be at least 1 (it is 0)", o => o.InputLength = 0);
        yield return Case("Horizon", "Horizon must be at least 1 (it is -2)", o => o.Horizon = -2);
        yield return Case("Stride", "Stride must be at least 1 (it is 0)", o => o.Stride = 0);
        yield return Case("InputColumnNames", "InputColumnNames is empty", o => o.InputColumnNames = Array.Empty<string>());
        yield return Case("InputColumnNames", "names column 'A' twice", o => o.InputColumnNames = new[] { "A", "B", "A" });
        yield return Case("TargetColumnNames", "TargetColumnNames[1] is blank", o => o.TargetColumnNames = new[] { "A", " " });
        yield return Case("FirstRow", "FirstRow must be ≥ 0 (it is -1)", o => o.FirstRow = -1);
        yield return Case("RowCount", "RowCount = 9 is too small: one window needs InputLength + Horizon = 8 + 2 = 10 rows", o => o.RowCount = 9);
        yield return Case("LabelColumnName", "LabelColumnName and FeaturesColumnName both name the output column 'Features'", o => o.LabelColumnName = "Features");
        yield return Case("FeaturesColumnName", "FeaturesColumnName must name a column", o => o.FeaturesColumnName = "");
        yield return Case("ForecastStartTimestampColumnName", "needs TimestampColumnName", o => { o.TimestampColumnName = null; o.ForecastStartTimestampColumnName = "F"; });
        yield return Case("Standardization", "Standardization has no statistics for column 'B'; it covers 'A'",
            o => o.Standardization = new SeriesStatistics(new[] { "A" }, new[] { 0.0 }, new[] { 1.0 }));
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void A_bad_option_is_named_with_its_value_before_any_row_is_read(string option, string messagePart, Action<SequenceWindowOptions> spoil)
    {
        SequenceWindowOptions options = Valid();
        spoil(options);

        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.Data.CreateSequenceWindows(new ThrowingDataView(), options));

        Assert.Equal(option, error.ParamName);
        Assert.Contains(messagePart, error.Message);
    }

    [Fact]
    public void A_missing_column_is_named_with_the_option_and_the_columns_the_series_has()
    {
        SequenceWindowOptions options = Valid();
        options.TargetColumnNames = new[] { "OT" };

        var error = Assert.Throws<ArgumentException>(() => _ml.Data.CreateSequenceWindows(Series(30), options));

        Assert.StartsWith("Column 'OT' (named in TargetColumnNames) is not in the series. Its columns are: 'Time', 'A', 'B', 'C', 'D', 'E'.", error.Message);
    }

    [Fact]
    public void A_text_column_as_input_is_named_with_its_type()
    {
        SequenceWindowOptions options = Valid();
        options.InputColumnNames = new[] { "A", "Time" };
        options.TimestampColumnName = null;
        options.ForecastStartTimestampColumnName = null;

        var error = Assert.Throws<ArgumentException>(() => _ml.Data.CreateSequenceWindows(Series(30), options));

        Assert.StartsWith("Column 'Time' (named in InputColumnNames) is String, but window values must come from numeric scalar columns", error.Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void A_non_finite_value_names_its_column_and_row(float bad, string shown)
    {
        SeriesRow[] rows = GeneratedSeries.Create(40);
        rows[23].B = bad;

        var error = Assert.Throws<InvalidOperationException>(() => _ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, rows), Valid()));

        Assert.StartsWith($"Series column 'B' row 23 holds {shown}; windows need finite values", error.Message);
    }

    [Fact]
    public void A_double_beyond_the_single_range_is_named_like_a_non_finite_value()
    {
        SeriesRow[] rows = GeneratedSeries.Create(40);
        rows[31].D = 1e300;
        SequenceWindowOptions options = Valid();
        options.InputColumnNames = new[] { "A", "D" };

        var error = Assert.Throws<InvalidOperationException>(() => _ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, rows), options));

        Assert.StartsWith("Series column 'D' row 31 holds 1E+300, beyond the range of Single (float); windows need finite values", error.Message);
    }

    [Fact]
    public void Values_outside_the_chosen_rows_are_not_read()
    {
        SeriesRow[] rows = GeneratedSeries.Create(60);
        rows[2].A = float.NaN;
        rows[50].A = float.NaN;
        SequenceWindowOptions options = Valid();
        options.FirstRow = 3;
        options.RowCount = 47;

        var windows = WindowReader.ReadAll(_ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, rows), options));

        Assert.Equal(GeneratedSeries.ExpectedStarts(3, 50, 8, 2, 1), windows.Select(w => w.Start!.Value));
    }

    [Fact]
    public void A_series_too_short_for_one_window_says_how_many_rows_are_needed()
    {
        var error = Assert.Throws<ArgumentException>(() => _ml.Data.CreateSequenceWindows(Series(9), Valid()));

        Assert.StartsWith("No window fits: the series has 9 rows from row 0, but one window needs InputLength + Horizon = 8 + 2 = 10 rows.", error.Message);
    }

    [Fact]
    public void A_row_range_beyond_the_series_names_FirstRow_RowCount_and_the_series_length()
    {
        SequenceWindowOptions options = Valid();
        options.FirstRow = 20;
        options.RowCount = 15;

        var error = Assert.Throws<ArgumentException>(() => _ml.Data.CreateSequenceWindows(Series(30), options));

        Assert.StartsWith("FirstRow = 20 and RowCount = 15 ask for rows up to 35, but the series has 30 rows.", error.Message);
    }

    [Fact]
    public void Options_changed_after_the_call_do_not_change_the_windows()
    {
        SequenceWindowOptions options = Valid();
        IDataView windows = _ml.Data.CreateSequenceWindows(Series(30), options);

        options.InputColumnNames[0] = "C";
        options.InputLength = 2;

        Assert.Equal(30 - 8 - 2 + 1, WindowReader.ReadAll(windows).Count);
        Assert.Equal(GeneratedSeries.Steps(GeneratedSeries.Create(30), 0, 8, new[] { "A", "B" }), WindowReader.ReadAll(windows)[0].Features);
    }

    private IDataView Series(int rows) => GeneratedSeries.Load(_ml, GeneratedSeries.Create(rows));

    private static SequenceWindowOptions Valid() => new()
    {
        InputColumnNames = new[] { "A", "B" },
        InputLength = 8,
        Horizon = 2,
        WindowStartColumnName = "Start",
        TimestampColumnName = "Time",
        ForecastStartTimestampColumnName = "ForecastTime",
    };

    /// <summary>A series that fails if anything reads it: options must be checked first.</summary>
    private sealed class ThrowingDataView : IDataView
    {
        public bool CanShuffle => false;
        public DataViewSchema Schema => throw new InvalidOperationException("The schema was read before the options were checked.");
        public long? GetRowCount() => throw new InvalidOperationException("The series was read before the options were checked.");
        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => throw new InvalidOperationException("The series was read before the options were checked.");
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => throw new InvalidOperationException("The series was read before the options were checked.");
    }
}
