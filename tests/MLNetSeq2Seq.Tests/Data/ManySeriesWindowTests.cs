using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>
/// Long-form data (<see cref="SequenceWindowOptions.SeriesColumnName"/>): windows are cut from each series on its own,
/// never across two, whether the series arrive one after the other or interleaved; bad input is an error that names
/// the series and rows.
/// </summary>
public sealed class ManySeriesWindowTests
{
    private const int L = 6, H = 3;

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 4)]
    [InlineData(true, 4)]
    public void Windows_of_a_CSV_of_many_series_stay_inside_one_series(bool interleaved, int stride)
    {
        var ml = new MLContext(seed: 1);
        using var folder = new TemporaryFolder();
        List<LongFormRow> rows = interleaved ? LongFormSeries.Interleaved() : LongFormSeries.Contiguous();
        Assert.Equal(interleaved, rows.Select(r => r.Series).Zip(rows.Skip(1).Select(r => r.Series)).Count(p => p.First != p.Second) > LongFormSeries.Ids.Length - 1);
        IDataView series = LongFormSeries.FromCsv(ml, rows, folder.File("long.csv"));

        List<SeriesWindow> windows = LongFormSeries.Read(ml.Data.CreateSequenceWindows(series, LongFormSeries.Options(L, H, stride)));

        var bySeries = LongFormSeries.BySeries();
        List<SeriesWindow> expected = LongFormSeries.Expected(bySeries, k => (0, bySeries[k].Count), L, H, stride);
        Assert.Equal(expected.Count, windows.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].Series, expected[i].Start, expected[i].Time), (windows[i].Series, windows[i].Start, windows[i].Time));
            Assert.Equal(expected[i].Features, windows[i].Features);
            Assert.Equal(expected[i].Label, windows[i].Label);
        }
        // No window crosses: within every window, Value (which jumps by ~1000 between series) moves by about one per step.
        Assert.All(windows, w =>
        {
            float[] values = w.Features.Where((_, i) => i % 2 == 0).Concat(w.Label.Where((_, i) => i % 2 == 0)).ToArray();
            Assert.All(values.Zip(values.Skip(1)), p => Assert.InRange(p.Second - p.First, 0.4f, 1.6f));
        });
        Assert.Equal(LongFormSeries.Ids, windows.Select(w => w.Series).Distinct());
    }

    [Fact]
    public void A_key_or_numeric_series_id_passes_through_with_its_type()
    {
        var ml = new MLContext(seed: 1);
        IDataView text = ml.Data.LoadFromEnumerable(LongFormSeries.Interleaved());
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Series").Fit(text).Transform(text);
        SequenceWindowOptions options = LongFormSeries.Options(L, H, 2);
        options.TimestampColumnName = null;

        IDataView windows = ml.Data.CreateSequenceWindows(keyed, options);

        Assert.IsType<KeyDataViewType>(windows.Schema["Series"].Type);
        uint[] keys = windows.GetColumn<uint>("Series").ToArray();
        // Keys number the ids in order of first appearance: north 1, south 2, east 3.
        var expected = LongFormSeries.Expected(LongFormSeries.BySeries(), k => (0, LongFormSeries.Lengths[k]), L, H, 2);
        Assert.Equal(expected.Select(w => (uint)(Array.IndexOf(LongFormSeries.Ids, w.Series) + 1)), keys);
        Assert.Equal(expected.Select(w => w.Features), windows.GetColumn<float[]>("Features"));

        // A numeric id (a CSV column of numbers loads as Single).
        IDataView numeric = ml.Data.LoadFromEnumerable(LongFormSeries.Contiguous().Select(r => new { Series = (float)Array.IndexOf(LongFormSeries.Ids, r.Series) * 10, r.Value, r.Load }));
        IDataView byNumber = ml.Data.CreateSequenceWindows(numeric, options);
        Assert.Equal(expected.Select(w => Array.IndexOf(LongFormSeries.Ids, w.Series) * 10f), byNumber.GetColumn<float>("Series"));
    }

    [Fact]
    public void Trailing_windows_are_the_last_of_each_series_with_its_id_and_its_own_step()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowOptions options = LongFormSeries.Options(L, H, 2);
        options.TrailingWindowCount = 2;
        options.ForecastStartTimestampColumnName = "ForecastStart";

        IDataView windows = ml.Data.CreateSequenceWindows(ml.Data.LoadFromEnumerable(LongFormSeries.Interleaved()), options);

        List<SeriesWindow> read = LongFormSeries.Read(windows);
        DateTime[] forecastStarts = windows.GetColumn<DateTime>("ForecastStart").ToArray();
        var bySeries = LongFormSeries.BySeries();
        Assert.Equal(2 * LongFormSeries.Ids.Length, read.Count);
        for (int k = 0; k < LongFormSeries.Ids.Length; k++)
        {
            int n = LongFormSeries.Lengths[k];
            for (int j = 0; j < 2; j++)
            {
                SeriesWindow w = read[2 * k + j];
                long start = n - L - 2 * (1 - j);
                Assert.Equal((LongFormSeries.Ids[k], start), (w.Series, w.Start));
                Assert.Equal(bySeries[k].Skip((int)start).Take(L).SelectMany(r => new[] { r.Value, r.Load }), w.Features);
                DateTime lastInput = DateTime.Parse(bySeries[k][(int)start + L - 1].Time, System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(lastInput + TimeSpan.FromHours(k == 1 ? 24 : 1), forecastStarts[2 * k + j]);
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_row_without_a_series_id_is_an_error_naming_the_row(string id)
    {
        var ml = new MLContext(seed: 1);
        List<LongFormRow> rows = LongFormSeries.Contiguous();
        rows[47].Series = id;

        var error = Assert.Throws<ArgumentException>(() => ml.Data.CreateSequenceWindows(ml.Data.LoadFromEnumerable(rows), LongFormSeries.Options(L, H)));

        Assert.Contains("'Series' (SeriesColumnName) has no id at series row 47", error.Message);
    }

    [Fact]
    public void A_NaN_or_missing_key_series_id_is_an_error_naming_the_row()
    {
        var ml = new MLContext(seed: 1);
        var rows = LongFormSeries.Contiguous().Select((r, i) => new { Series = i == 12 ? float.NaN : (float)Array.IndexOf(LongFormSeries.Ids, r.Series), r.Value, r.Load }).ToList();
        SequenceWindowOptions options = LongFormSeries.Options(L, H);
        options.TimestampColumnName = null;
        var error = Assert.Throws<ArgumentException>(() => ml.Data.CreateSequenceWindows(ml.Data.LoadFromEnumerable(rows), options));
        Assert.Contains("has no id at series row 12 (it holds 'NaN')", error.Message);

        // A key column's missing value (0): a value the key map did not learn.
        List<LongFormRow> text = LongFormSeries.Contiguous();
        var map = ml.Transforms.Conversion.MapValueToKey("Series").Fit(ml.Data.LoadFromEnumerable(text.Where(r => r.Series != "east")));
        error = Assert.Throws<ArgumentException>(() => ml.Data.CreateSequenceWindows(map.Transform(ml.Data.LoadFromEnumerable(text)), options));
        Assert.Contains($"has no id at series row {LongFormSeries.Lengths[0] + LongFormSeries.Lengths[1]}", error.Message);
    }

    [Fact]
    public void Timestamps_out_of_order_inside_a_series_are_an_error_naming_the_series_and_rows()
    {
        var ml = new MLContext(seed: 1);
        List<LongFormRow> rows = LongFormSeries.Contiguous();
        int first = LongFormSeries.Lengths[0] + 10;
        (rows[first], rows[first + 1]) = (rows[first + 1], rows[first]);

        var error = Assert.Throws<ArgumentException>(() => ml.Data.CreateSequenceWindows(ml.Data.LoadFromEnumerable(rows), LongFormSeries.Options(L, H)));

        Assert.Contains("The timestamps of series 'south' are not in time order", error.Message);
        Assert.Contains($"at row {first} and then", error.Message);
        Assert.Contains($"at row {first + 1}", error.Message);
        // Without a timestamp column the order cannot be checked and is trusted.
        SequenceWindowOptions untimed = LongFormSeries.Options(L, H);
        untimed.TimestampColumnName = null;
        Assert.NotNull(ml.Data.CreateSequenceWindows(ml.Data.LoadFromEnumerable(rows), untimed));
    }

    [Fact]
    public void A_series_shorter_than_one_window_is_an_error_or_skipped_with_a_logged_count()
    {
        var ml = new MLContext(seed: 1);
        int[] lengths = { 40, 7, 33 }; // south: 7 rows < L + H = 9
        IDataView series = ml.Data.LoadFromEnumerable(LongFormSeries.Contiguous(lengths));

        var error = Assert.Throws<ArgumentException>(() => ml.Data.CreateSequenceWindows(series, LongFormSeries.Options(L, H)));
        Assert.Contains("Series 'south' (column 'Series') has 7 rows from row 0, but one window needs InputLength + Horizon = 6 + 3 = 9 rows", error.Message);
        Assert.Contains("ShortSeries = Skip", error.Message);

        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning)
                lock (warnings)
                    warnings.Add(e.Message);
        };
        SequenceWindowOptions skip = LongFormSeries.Options(L, H);
        skip.ShortSeries = ShortSeriesHandling.Skip;
        List<SeriesWindow> windows = LongFormSeries.Read(ml.Data.CreateSequenceWindows(series, skip));

        Assert.Equal(new[] { "north", "east" }, windows.Select(w => w.Series).Distinct());
        Assert.Equal(LongFormSeries.Expected(LongFormSeries.BySeries(lengths), k => (0, lengths[k]), L, H, 1).Where(w => w.Series != "south").Select(w => (w.Series, w.Start)),
            windows.Select(w => (w.Series, w.Start)));
        Assert.Contains(warnings, m => m.Contains("left out 1 of 3 series as too short ('south' has 7 rows", StringComparison.Ordinal));

        // Nothing left is an error either way.
        SequenceWindowOptions tooLong = LongFormSeries.Options(20, 30);
        tooLong.ShortSeries = ShortSeriesHandling.Skip;
        error = Assert.Throws<ArgumentException>(() => ml.Data.CreateSequenceWindows(series, tooLong));
        Assert.Contains("No series is long enough: all 3 are too short", error.Message);
    }

    [Fact]
    public void FirstRow_and_RowCount_count_rows_within_each_series()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowOptions options = LongFormSeries.Options(L, H, 3);
        options.FirstRow = 4;
        options.RowCount = 20;

        List<SeriesWindow> windows = LongFormSeries.Read(ml.Data.CreateSequenceWindows(ml.Data.LoadFromEnumerable(LongFormSeries.Interleaved()), options));

        var expected = LongFormSeries.Expected(LongFormSeries.BySeries(), _ => (4, 24), L, H, 3);
        Assert.Equal(expected.Select(w => (w.Series, w.Start)), windows.Select(w => (w.Series, w.Start)));
        Assert.Equal(expected.Select(w => w.Label), windows.Select(w => w.Label));
    }

    [Fact]
    public void A_held_out_fraction_of_many_series_windows_is_warned_about()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning)
                lock (warnings)
                    warnings.Add(e.Message);
        };
        IDataView windows = ml.Data.CreateSequenceWindows(ml.Data.LoadFromEnumerable(LongFormSeries.Contiguous()), LongFormSeries.Options(L, H));
        using (ml.Regression.Trainers.Seq2Seq(new Seq2SeqOptions { HiddenSize = 4, MaxEpochs = 1, ValidationFraction = 0.2, Seed = 1 }).Fit(windows)) { }
        Assert.Contains(warnings, m => m.Contains("many series (column 'Series'): ValidationFraction holds out the last windows in view order", StringComparison.Ordinal));

        warnings.Clear();
        IDataView single = ml.Data.CreateSequenceWindows(ml.Data.LoadFromEnumerable(LongFormSeries.BySeries()[0]),
            new SequenceWindowOptions { InputColumnNames = new[] { "Value", "Load" }, InputLength = L, Horizon = H });
        using (ml.Regression.Trainers.Seq2Seq(new Seq2SeqOptions { HiddenSize = 4, MaxEpochs = 1, ValidationFraction = 0.2, Seed = 1 }).Fit(single)) { }
        Assert.DoesNotContain(warnings, m => m.Contains("many series", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_for_many_series_are_checked()
    {
        var options = new SequenceWindowOptions { InputColumnNames = new[] { "Value" }, InputLength = L, Horizon = H, SeriesStandardization = SeriesStandardization.PerSeries };
        Assert.Contains("need SeriesColumnName", Assert.Throws<ArgumentException>(options.Validate).Message);
        options.SeriesColumnName = "Value";
        Assert.Contains("is also a value column", Assert.Throws<ArgumentException>(options.Validate).Message);
        options.SeriesColumnName = "Series";
        options.WindowStartColumnName = "Series";
        Assert.Contains("both name the output column 'Series'", Assert.Throws<ArgumentException>(options.Validate).Message);
    }
}
