using System;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>SequenceWindowOptions.TrailingWindowCount: the last windows whose inputs end at the last row, for forecasting past the end.</summary>
public sealed class TrailingWindowTests
{
    private static readonly string[] s_columns = { "A", "C", "D" };

    private static SequenceWindowOptions Options(int count, int stride = 3) => new()
    {
        InputColumnNames = s_columns, InputLength = 12, Horizon = 5, Stride = stride, TrailingWindowCount = count,
        TimestampColumnName = "Time", ForecastStartTimestampColumnName = "ForecastStart", WindowStartColumnName = "Start",
    };

    [Fact]
    public void Trailing_windows_end_at_the_last_row_with_no_label_and_forecast_timestamps_one_step_after_their_inputs()
    {
        var ml = new MLContext(seed: 1);
        SeriesRow[] rows = GeneratedSeries.Create(100);

        IDataView windows = ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, rows), Options(count: 4));

        Assert.Equal(4, windows.GetRowCount());
        Assert.Null(windows.Schema.GetColumnOrNull("Label"));
        long[] starts = windows.GetColumn<long>("Start").ToArray();
        Assert.Equal(new long[] { 100 - 12 - 9, 100 - 12 - 6, 100 - 12 - 3, 100 - 12 }, starts);
        float[][] features = windows.GetColumn<float[]>("Features").ToArray();
        for (int w = 0; w < 4; w++)
            Assert.Equal(GeneratedSeries.Steps(rows, starts[w], 12, s_columns), features[w]);
        DateTime[] forecastStarts = windows.GetColumn<DateTime>("ForecastStart").ToArray();
        for (int w = 0; w < 4; w++)
        {
            DateTime lastInput = DateTime.Parse(rows[starts[w] + 11].Time, CultureInfo.InvariantCulture);
            DateTime step = DateTime.Parse(rows[99].Time, CultureInfo.InvariantCulture);
            Assert.Equal(lastInput + (step - DateTime.Parse(rows[98].Time, CultureInfo.InvariantCulture)), forecastStarts[w]);
        }
        Assert.Equal(DateTime.Parse(rows[99].Time, CultureInfo.InvariantCulture).AddHours(1), forecastStarts[^1]); // past the end of the data
    }

    [Fact]
    public void Too_few_rows_for_the_trailing_windows_is_an_error_that_counts_them()
    {
        var ml = new MLContext(seed: 1);

        var error = Assert.Throws<ArgumentException>(() => ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, GeneratedSeries.Create(20)), Options(count: 4)));

        Assert.Contains("12 + 3 × 3 = 21 rows", error.Message);
        Assert.Contains("20 rows", error.Message);
    }

    [Fact]
    public void Trailing_windows_with_text_timestamps_that_are_not_times_name_the_column_and_row()
    {
        var ml = new MLContext(seed: 1);
        SeriesRow[] rows = GeneratedSeries.Create(40);
        rows[^1].Time = "not a time";

        var error = Assert.Throws<ArgumentException>(() => ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, rows), Options(count: 1)));

        Assert.Contains("'Time'", error.Message);
        Assert.Contains("row 39", error.Message);
    }

    [Fact]
    public void The_chronological_split_refuses_trailing_windows()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowOptions options = Options(count: 1);
        options.ForecastStartTimestampColumnName = null;

        var error = Assert.Throws<ArgumentException>(() => ml.Data.SplitSequenceWindowsChronologically(
            GeneratedSeries.Load(ml, GeneratedSeries.Create(100)), options, new ChronologicalSplit(50, 70, 100)));

        Assert.Contains(nameof(SequenceWindowOptions.TrailingWindowCount), error.Message);
    }
}
