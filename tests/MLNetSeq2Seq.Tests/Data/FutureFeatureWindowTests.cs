using System;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.Forecasting;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>The window view's known-future column: its shape, where its rows come from, the calendar values, and its errors.</summary>
public sealed class FutureFeatureWindowTests
{
    private const int L = 24, H = 12;
    private readonly MLContext _ml = new(seed: 1);
    private readonly EventRow[] _rows = EventSeries.Create(400);

    // The calendar of one time, computed here from DateTime arithmetic: hour, weekday, day of year, month, holiday.
    private static float[] ExpectedCalendar(DateTime t, DateTime holiday)
    {
        double hour = t.Hour + t.Minute / 60.0, weekday = (int)t.DayOfWeek, yearDay = t.DayOfYear - 1;
        double daysInYear = new DateTime(t.Year, 12, 31).DayOfYear;
        return new[]
        {
            Math.Sin(2 * Math.PI * hour / 24), Math.Cos(2 * Math.PI * hour / 24),
            Math.Sin(2 * Math.PI * weekday / 7), Math.Cos(2 * Math.PI * weekday / 7),
            Math.Sin(2 * Math.PI * yearDay / daysInYear), Math.Cos(2 * Math.PI * yearDay / daysInYear),
            (t.Month - 1) / 11.0 - 0.5,
            t.Date == holiday ? 1.0 : 0.0,
        }.Select(v => (float)v).ToArray();
    }

    [Fact]
    public void The_future_column_holds_the_known_values_and_calendar_of_the_forecast_rows_only()
    {
        DateTime holiday = EventSeries.Start.AddDays(5);
        SequenceWindowOptions options = EventSeries.WindowOptions(futureEvents: true, CalendarFeatures.All | CalendarFeatures.Holiday, new[] { holiday.AddHours(13) });
        options.WindowStartColumnName = "Start";
        IDataView windows = _ml.Data.CreateSequenceWindows(EventSeries.Load(_ml, _rows), options);

        var type = (VectorDataViewType)windows.Schema["FutureFeatures"].Type;
        Assert.Equal(new[] { H, 9 }, type.Dimensions.ToArray());
        long[] starts = windows.GetColumn<long>("Start").ToArray();
        float[][] future = windows.GetColumn<float[]>("FutureFeatures").ToArray();
        Assert.Equal(_rows.Length - L - H + 1, future.Length);
        bool sawHoliday = false;
        foreach (int w in new[] { 0, 1, 57, 118, future.Length - 1 })
        {
            for (int h = 0; h < H; h++)
            {
                // Step h of window w is series row start + L + h: never an input row.
                int row = (int)starts[w] + L + h;
                DateTime time = DateTime.Parse(_rows[row].Time, CultureInfo.InvariantCulture);
                float[] step = future[w].Skip(h * 9).Take(9).ToArray();
                Assert.Equal(_rows[row].Event, step[0]);
                float[] calendar = ExpectedCalendar(time, holiday);
                for (int k = 0; k < calendar.Length; k++)
                    Assert.True(Math.Abs(calendar[k] - step[1 + k]) < 1e-5, $"window {w} step {h} value {k}: {step[1 + k]} vs {calendar[k]}");
                sawHoliday |= step[8] == 1f;
            }
        }
        Assert.True(sawHoliday, "the holiday should fall inside one of the checked windows");
    }

    [Fact]
    public void Future_columns_are_standardized_with_the_split_statistics_like_the_inputs()
    {
        SequenceWindowSplit split = _ml.Data.SplitSequenceWindowsChronologically(EventSeries.Load(_ml, _rows), EventSeries.WindowOptions(futureEvents: true),
            new ChronologicalSplit(300, 350, 400));
        SeriesStatistics statistics = split.Statistics!;
        float[] first = split.Test.GetColumn<float[]>("FutureFeatures").First();
        // The first test window's targets start at row 350.
        float[] expected = Enumerable.Range(350, H).Select(r => (float)statistics.Standardize("Event", _rows[r].Event)).ToArray();
        Assert.Equal(expected, first);
        Assert.True(statistics.StandardDeviations[statistics.IndexOf("Event")] > 0);
    }

    [Fact]
    public void Trailing_windows_get_the_calendar_of_the_forecast_timestamps()
    {
        SequenceWindowOptions options = EventSeries.WindowOptions(futureEvents: false, CalendarFeatures.HourOfDay | CalendarFeatures.DayOfWeek);
        options.TrailingWindowCount = 1;
        float[] future = _ml.Data.CreateSequenceWindows(EventSeries.Load(_ml, _rows), options).GetColumn<float[]>("FutureFeatures").Single();
        DateTime last = DateTime.Parse(_rows[^1].Time, CultureInfo.InvariantCulture);
        for (int h = 0; h < H; h++)
        {
            float[] expected = ExpectedCalendar(last.AddHours(h + 1), default).Take(4).ToArray();
            Assert.Equal(expected, future.Skip(h * 4).Take(4).ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
        }
    }

    [Fact]
    public void Calendar_features_without_a_timestamp_column_are_an_error_naming_both_options()
    {
        SequenceWindowOptions options = EventSeries.WindowOptions(futureEvents: false);
        options.CalendarFeatures = CalendarFeatures.Month;
        var error = Assert.Throws<ArgumentException>(() => _ml.Data.CreateSequenceWindows(EventSeries.Load(_ml, _rows), options));
        Assert.Contains("CalendarFeatures", error.Message);
        Assert.Contains("TimestampColumnName", error.Message);
    }

    [Fact]
    public void A_future_column_missing_from_the_series_is_an_error_naming_it_and_the_option()
    {
        SequenceWindowOptions options = EventSeries.WindowOptions(futureEvents: false);
        options.FutureColumnNames = new[] { "Price" };
        var error = Assert.Throws<ArgumentException>(() => _ml.Data.CreateSequenceWindows(EventSeries.Load(_ml, _rows), options));
        Assert.Contains("'Price'", error.Message);
        Assert.Contains("FutureColumnNames", error.Message);
    }

    [Fact]
    public void Future_columns_on_trailing_windows_and_holidays_without_the_flag_are_refused()
    {
        SequenceWindowOptions trailing = EventSeries.WindowOptions(futureEvents: true);
        trailing.TrailingWindowCount = 1;
        Assert.Contains("forecast engine", Assert.Throws<ArgumentException>(() => trailing.Validate()).Message);

        SequenceWindowOptions holidays = EventSeries.WindowOptions(futureEvents: false, CalendarFeatures.Month, new[] { EventSeries.Start });
        Assert.Equal("Holidays", Assert.Throws<ArgumentException>(() => holidays.Validate()).ParamName);
        SequenceWindowOptions noList = EventSeries.WindowOptions(futureEvents: false, CalendarFeatures.Holiday);
        Assert.Equal("Holidays", Assert.Throws<ArgumentException>(() => noList.Validate()).ParamName);
    }

    [Fact]
    public void Future_columns_with_per_series_standardization_are_refused_naming_both_options()
    {
        SequenceWindowOptions options = EventSeries.WindowOptions(futureEvents: true);
        options.SeriesColumnName = "Store";
        options.SeriesStandardization = SeriesStandardization.PerSeries;
        var error = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Equal("FutureColumnNames", error.ParamName);
        Assert.Contains("SeriesStandardization", error.Message);

        options.SeriesStandardization = SeriesStandardization.Global;
        options.Validate();
    }
}
