using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

public sealed class SequenceWindowTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Theory]
    [InlineData(100, 10, 5, 1)]
    [InlineData(100, 10, 5, 3)]
    [InlineData(100, 1, 1, 1)]
    [InlineData(57, 20, 7, 4)]
    [InlineData(30, 24, 6, 1)] // exactly one window
    [InlineData(31, 24, 6, 2)] // the second start would need row 32
    public void Windows_start_every_stride_rows_while_inputs_and_horizon_fit(int rows, int inputLength, int horizon, int stride)
    {
        var series = GeneratedSeries.Create(rows);
        var expected = GeneratedSeries.ExpectedStarts(0, rows, inputLength, horizon, stride);

        IDataView windows = _ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, series),
            Options(inputLength, horizon, stride, new[] { "A" }));
        var read = WindowReader.ReadAll(windows);

        Assert.Equal(expected.Count, windows.GetRowCount());
        Assert.Equal(expected, read.Select(w => w.Start!.Value));
    }

    [Theory]
    [InlineData(new[] { "A", "B", "C" }, null)]            // targets = inputs: whole rows of the buffer
    [InlineData(new[] { "C", "A" }, new[] { "B" })]        // a subset, out of order, and a target that is no input
    [InlineData(new[] { "B" }, new[] { "C", "A", "B" })]
    public void First_and_last_windows_hold_the_series_values_time_major(string[] inputs, string[]? targets)
    {
        const int L = 6, H = 3, stride = 4;
        var series = GeneratedSeries.Create(50);
        var expectedStarts = GeneratedSeries.ExpectedStarts(0, series.Length, L, H, stride);
        string[] targetColumns = targets ?? inputs;
        var options = Options(L, H, stride, inputs);
        options.TargetColumnNames = targets;

        var read = WindowReader.ReadAll(_ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, series), options));

        foreach ((WindowRow window, long start) in new[] { (read[0], expectedStarts[0]), (read[^1], expectedStarts[^1]) })
        {
            Assert.Equal(GeneratedSeries.Steps(series, start, L, inputs), window.Features);
            Assert.Equal(GeneratedSeries.Steps(series, start + L, H, targetColumns), window.Label);
        }
        Assert.Equal(series[(int)expectedStarts[^1] + L + H - 1].Value(targetColumns[^1]), read[^1].Label[^1]);
    }

    [Fact]
    public void Features_and_label_carry_step_and_feature_dimensions()
    {
        var options = Options(inputLength: 12, horizon: 5, stride: 1, new[] { "A", "B", "C" });
        options.TargetColumnNames = new[] { "C", "A" };
        options.FeaturesColumnName = "Past";
        options.LabelColumnName = "Future";

        DataViewSchema schema = _ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, GeneratedSeries.Create(40)), options).Schema;

        var features = Assert.IsType<VectorDataViewType>(schema["Past"].Type);
        var label = Assert.IsType<VectorDataViewType>(schema["Future"].Type);
        Assert.Equal(NumberDataViewType.Single, features.ItemType);
        Assert.Equal(new[] { 12, 3 }, features.Dimensions.ToArray());
        Assert.Equal(NumberDataViewType.Single, label.ItemType);
        Assert.Equal(new[] { 5, 2 }, label.Dimensions.ToArray());
        Assert.Equal(NumberDataViewType.Int64, schema["Start"].Type);
        Assert.Equal(TextDataViewType.Instance, schema["Time"].Type);
        Assert.Equal(TextDataViewType.Instance, schema["ForecastTime"].Type);
        Assert.Equal(5, schema.Count);
    }

    [Fact]
    public void Pass_through_columns_hold_the_start_row_and_the_timestamps_of_first_input_and_first_target()
    {
        const int L = 8, H = 4, stride = 3;
        var series = GeneratedSeries.Create(60);
        var expectedStarts = GeneratedSeries.ExpectedStarts(0, series.Length, L, H, stride);

        var read = WindowReader.ReadAll(_ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, series), Options(L, H, stride, new[] { "A" })));

        Assert.Equal(expectedStarts, read.Select(w => w.Start!.Value));
        Assert.Equal(expectedStarts.Select(s => series[(int)s].Time), read.Select(w => w.Timestamp));
        Assert.Equal(expectedStarts.Select(s => series[(int)s + L].Time), read.Select(w => w.ForecastTimestamp));
        Assert.Equal(Enumerable.Range(0, expectedStarts.Count).Select(i => (ulong)i), read.Select(w => w.Id));
    }

    [Fact]
    public void Double_and_integer_columns_are_converted_to_single()
    {
        const int L = 4, H = 2;
        var series = GeneratedSeries.Create(20);
        var options = Options(L, H, 1, new[] { "D", "E" });

        var read = WindowReader.ReadAll(_ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, series), options));

        Assert.Equal(new[] { (float)series[0].D, series[0].E, (float)series[1].D, series[1].E }, read[0].Features.Take(4));
        Assert.Equal(GeneratedSeries.Steps(series, 5 + L, H, new[] { "D", "E" }), read[5].Label);
    }

    [Fact]
    public void FirstRow_and_RowCount_keep_every_window_inside_that_range()
    {
        const int L = 5, H = 2, stride = 2;
        var series = GeneratedSeries.Create(80);
        var options = Options(L, H, stride, new[] { "B" });
        options.FirstRow = 11;
        options.RowCount = 30;
        var expectedStarts = GeneratedSeries.ExpectedStarts(11, 41, L, H, stride);

        var read = WindowReader.ReadAll(_ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, series), options));

        Assert.Equal(expectedStarts, read.Select(w => w.Start!.Value));
        Assert.Equal(GeneratedSeries.Steps(series, expectedStarts[^1] + L, H, new[] { "B" }), read[^1].Label);
        Assert.True(expectedStarts[^1] + L + H <= 41);
    }

    [Fact]
    public void A_shuffled_cursor_serves_every_window_once_each_with_its_own_values()
    {
        const int L = 3, H = 2;
        var series = GeneratedSeries.Create(40);
        IDataView windows = _ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, series), Options(L, H, 1, new[] { "A", "C" }));

        var inOrder = WindowReader.ReadAll(windows);
        var shuffled = WindowReader.ReadAll(windows, new Random(5));

        Assert.True(windows.CanShuffle);
        Assert.NotEqual(inOrder.Select(w => w.Id), shuffled.Select(w => w.Id));
        Assert.Equal(inOrder.Select(w => w.Id), shuffled.Select(w => w.Id).OrderBy(id => id));
        foreach (WindowRow window in shuffled)
        {
            Assert.Equal((long)window.Id, window.Start);
            Assert.Equal(GeneratedSeries.Steps(series, window.Start!.Value, L, new[] { "A", "C" }), window.Features);
        }
    }

    [Fact]
    public void Fixed_statistics_standardize_every_value_before_windowing()
    {
        const int L = 4, H = 2;
        var series = GeneratedSeries.Create(30);
        var statistics = new SeriesStatistics(new[] { "C", "A" }, new[] { 2.0, 10.0 }, new[] { 4.0, 0.0 });
        var options = Options(L, H, 1, new[] { "A", "C" });
        options.Standardization = statistics;

        var read = WindowReader.ReadAll(_ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, series), options));

        // A's deviation is 0: divided by 1, as scikit-learn does, rather than producing infinities.
        float[] expected = GeneratedSeries.Steps(series, 7, L, new[] { "A", "C" })
            .Select((v, i) => i % 2 == 0 ? (float)(v - 10.0) : (float)((v - 2.0) / 4.0)).ToArray();
        Assert.Equal(expected, read[7].Features);
        Assert.Equal(GeneratedSeries.Steps(series, 7 + L, H, new[] { "A", "C" }), statistics.Unstandardize(read[7].Label, new[] { "A", "C" }));
    }

    [Fact]
    public void A_getter_off_a_row_or_of_an_inactive_column_says_so()
    {
        IDataView windows = _ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, GeneratedSeries.Create(20)), Options(3, 1, 1, new[] { "A" }));
        using DataViewRowCursor cursor = windows.GetRowCursor(new[] { windows.Schema["Features"] });
        var features = cursor.GetGetter<VBuffer<float>>(windows.Schema["Features"]);
        VBuffer<float> value = default;

        Assert.Contains("MoveNext", Assert.Throws<InvalidOperationException>(() => features(ref value)).Message);
        Assert.Contains("'Label' is not active", Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(windows.Schema["Label"])).Message);
        Assert.Contains("cannot be read as Single", Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(windows.Schema["Features"])).Message);
    }

    [Fact]
    public void A_cursor_past_its_last_window_stays_there()
    {
        IDataView windows = _ml.Data.CreateSequenceWindows(GeneratedSeries.Load(_ml, GeneratedSeries.Create(12)), Options(3, 1, 1, new[] { "A" }));
        using DataViewRowCursor cursor = windows.GetRowCursor(windows.Schema);
        int served = 0;
        while (cursor.MoveNext())
            served++;

        Assert.Equal(12 - 3 - 1 + 1, served);
        Assert.False(cursor.MoveNext()); // ML.NET's consumers may ask again; starting over would loop forever
        Assert.Equal(-1, cursor.Position);
    }

    internal static SequenceWindowOptions Options(int inputLength, int horizon, int stride, string[] inputs) => new()
    {
        InputColumnNames = inputs,
        InputLength = inputLength,
        Horizon = horizon,
        Stride = stride,
        WindowStartColumnName = "Start",
        TimestampColumnName = "Time",
        ForecastStartTimestampColumnName = "ForecastTime",
    };
}
