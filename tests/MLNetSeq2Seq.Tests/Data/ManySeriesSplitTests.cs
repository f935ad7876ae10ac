using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>
/// The chronological split of many series: each series is split by time on its own (fixed row boundaries, or
/// fractions of its own length) with the single-series rules, and standardized with statistics of all training
/// rows together or of each series' own.
/// </summary>
public sealed class ManySeriesSplitTests
{
    private const int L = 6, H = 3;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Each_series_is_split_at_fractions_of_its_own_length(int stride)
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsByFractions(ml.Data.LoadFromEnumerable(LongFormSeries.Interleaved()),
            LongFormSeries.Options(L, H, stride), 0.6, 0.2, standardize: false);

        var bySeries = LongFormSeries.BySeries();
        ChronologicalSplit Of(int k) => ChronologicalSplit.FromFractions(LongFormSeries.Lengths[k], 0.6, 0.2);
        Assert.Equal(LongFormSeries.Ids.Select((id, k) => (id, Of(k))), split.SeriesBoundaries!.Select(p => (p.Key, p.Value)));
        Assert.Equal(Of(0), split.Boundaries);
        Assert.Null(split.Statistics);
        AssertWindows(LongFormSeries.Expected(bySeries, k => (0, Of(k).TrainEnd), L, H, stride), split.Train);
        // Validation and test inputs reach back L rows across the boundary, inside their own series.
        AssertWindows(LongFormSeries.Expected(bySeries, k => (Of(k).TrainEnd - L, Of(k).ValidationEnd), L, H, stride), split.Validation);
        AssertWindows(LongFormSeries.Expected(bySeries, k => (Of(k).ValidationEnd - L, Of(k).TestEnd), L, H, stride), split.Test);
    }

    [Fact]
    public void Fixed_row_boundaries_apply_to_each_series_and_a_series_too_short_for_them_is_an_error_or_skipped()
    {
        var ml = new MLContext(seed: 1);
        IDataView series = ml.Data.LoadFromEnumerable(LongFormSeries.Contiguous());
        var boundaries = new ChronologicalSplit(18, 24, 30); // south has 25 rows

        var error = Assert.Throws<ArgumentException>(() => ml.Data.SplitSequenceWindowsChronologically(series, LongFormSeries.Options(L, H), boundaries));
        Assert.Contains("Series 'south' (column 'Series') has 25 rows, fewer than the split's TestEnd = 30", error.Message);

        SequenceWindowOptions skip = LongFormSeries.Options(L, H);
        skip.ShortSeries = ShortSeriesHandling.Skip;
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series, skip, boundaries, standardize: false);

        var bySeries = LongFormSeries.BySeries();
        Assert.Equal(new[] { "north", "east" }, split.SeriesBoundaries!.Keys);
        var kept = LongFormSeries.Expected(bySeries, k => k == 1 ? (0, 0) : (24 - L, 30), L, H, 1);
        AssertWindows(kept, split.Test);
        // A part without a window is "too short" too: validation targets [18, 20) hold fewer than H = 3 rows.
        error = Assert.Throws<ArgumentException>(() => ml.Data.SplitSequenceWindowsChronologically(series, LongFormSeries.Options(L, H), new ChronologicalSplit(18, 20, 25)));
        Assert.Contains("Series 'north' (column 'Series') has validation targets [18, 20), fewer than Horizon = 3 rows", error.Message);
    }

    [Fact]
    public void Per_series_statistics_come_from_each_series_own_training_rows_and_standardize_only_it()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowOptions options = LongFormSeries.Options(L, H, 2);
        options.SeriesStandardization = SeriesStandardization.PerSeries;

        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsByFractions(ml.Data.LoadFromEnumerable(LongFormSeries.Interleaved()), options, 0.6, 0.2);

        Assert.Null(split.Statistics);
        PerSeriesStatistics perSeries = split.PerSeriesStatistics!;
        Assert.Equal(LongFormSeries.Ids, perSeries.SeriesIds);
        var bySeries = LongFormSeries.BySeries();
        ChronologicalSplit Of(int k) => split.SeriesBoundaries![LongFormSeries.Ids[k]];
        for (int k = 0; k < bySeries.Length; k++)
        {
            var training = bySeries[k].Take((int)Of(k).TrainEnd).ToList();
            AssertStatistics(perSeries[LongFormSeries.Ids[k]], training.Select(r => (double)r.Value).ToArray(), training.Select(r => (double)r.Load).ToArray());
        }
        // Series means differ by about 1000: each series' own statistics put every series near 0.
        float Standardized(int k, string column, float v) => (float)perSeries[LongFormSeries.Ids[k]].Standardize(column, v);
        AssertWindows(LongFormSeries.Expected(bySeries, k => (Of(k).ValidationEnd - L, Of(k).TestEnd), L, H, 2, Standardized), split.Test);
    }

    [Fact]
    public void Global_statistics_come_from_the_training_rows_of_all_series_together()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsByFractions(ml.Data.LoadFromEnumerable(LongFormSeries.Contiguous()), LongFormSeries.Options(L, H), 0.6, 0.2);

        Assert.Null(split.PerSeriesStatistics);
        var training = LongFormSeries.BySeries().SelectMany((rows, k) => rows.Take((int)split.SeriesBoundaries![LongFormSeries.Ids[k]].TrainEnd)).ToList();
        AssertStatistics(split.Statistics!, training.Select(r => (double)r.Value).ToArray(), training.Select(r => (double)r.Load).ToArray());
        float Standardized(int _, string column, float v) => (float)split.Statistics!.Standardize(column, v);
        AssertWindows(LongFormSeries.Expected(LongFormSeries.BySeries(), k => (0, split.SeriesBoundaries![LongFormSeries.Ids[k]].TrainEnd), L, H, 1, Standardized), split.Train);
    }

    [Fact]
    public void Saved_per_series_statistics_cut_the_same_windows_again()
    {
        var ml = new MLContext(seed: 1);
        IDataView series = ml.Data.LoadFromEnumerable(LongFormSeries.Interleaved());
        SequenceWindowOptions options = LongFormSeries.Options(L, H);
        options.SeriesStandardization = SeriesStandardization.PerSeries;
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series, options, new ChronologicalSplit(15, 19, 25));

        // Given back as fixed statistics (standardize: false), the split is the same, window for window.
        SequenceWindowOptions given = LongFormSeries.Options(L, H);
        given.PerSeriesStandardization = new PerSeriesStatistics(split.PerSeriesStatistics!.SeriesIds.Select(id => KeyValuePair.Create(id,
            new SeriesStatistics(split.PerSeriesStatistics[id].ColumnNames, split.PerSeriesStatistics[id].Means, split.PerSeriesStatistics[id].StandardDeviations))));
        SequenceWindowSplit again = ml.Data.SplitSequenceWindowsChronologically(series, given, new ChronologicalSplit(15, 19, 25), standardize: false);
        AssertWindows(LongFormSeries.Read(split.Test), again.Test);
        Assert.Same(given.PerSeriesStandardization, again.PerSeriesStatistics);

        // A series without statistics is an error naming it.
        given.PerSeriesStandardization = new PerSeriesStatistics(new[] { KeyValuePair.Create("north", split.PerSeriesStatistics["north"]) });
        var error = Assert.Throws<ArgumentException>(() => ml.Data.CreateSequenceWindows(series, given));
        Assert.Contains("PerSeriesStandardization has no statistics for series 'south'", error.Message);
    }

    [Fact]
    public void A_split_by_time_cuts_every_series_at_the_same_moments()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowOptions options = LongFormSeries.Options(L, H);
        options.ShortSeries = ShortSeriesHandling.Skip; // south is daily: 2 rows before the training end
        DateTime trainEnd = new(2020, 1, 2, 6, 0, 0), validationEnd = new(2020, 1, 2, 10, 0, 0);

        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsByTime(ml.Data.LoadFromEnumerable(LongFormSeries.Interleaved()), options, trainEnd, validationEnd, standardize: false);

        var bySeries = LongFormSeries.BySeries();
        long Before(int k, DateTime end) => bySeries[k].Count(r => DateTime.Parse(r.Time, System.Globalization.CultureInfo.InvariantCulture) < end);
        var expected = new[] { 0, 2 }.ToDictionary(k => LongFormSeries.Ids[k], k => new ChronologicalSplit(Before(k, trainEnd), Before(k, validationEnd), bySeries[k].Count));
        Assert.Equal(expected, split.SeriesBoundaries);
        ChronologicalSplit Of(int k) => k == 1 ? new ChronologicalSplit(0, 0, 0) : expected[LongFormSeries.Ids[k]];
        AssertWindows(LongFormSeries.Expected(bySeries, k => (0, Of(k).TrainEnd), L, H, 1), split.Train);
        AssertWindows(LongFormSeries.Expected(bySeries, k => (Math.Max(0, Of(k).TrainEnd - L), Of(k).ValidationEnd), L, H, 1), split.Validation);
        AssertWindows(LongFormSeries.Expected(bySeries, k => (Math.Max(0, Of(k).ValidationEnd - L), Of(k).TestEnd), L, H, 1), split.Test);
    }

    [Fact]
    public void A_split_by_time_of_one_series_is_the_split_at_the_matching_rows()
    {
        var ml = new MLContext(seed: 1);
        IDataView series = GeneratedSeries.Load(ml, GeneratedSeries.Create(320));
        var options = new SequenceWindowOptions { InputColumnNames = new[] { "A", "B" }, InputLength = 12, Horizon = 5, Stride = 2, TimestampColumnName = "Time" };

        SequenceWindowSplit byTime = ml.Data.SplitSequenceWindowsByTime(series, options,
            GeneratedSeries.Start.AddHours(200), GeneratedSeries.Start.AddHours(250).AddMinutes(30), GeneratedSeries.Start.AddHours(300));
        SequenceWindowSplit byRows = ml.Data.SplitSequenceWindowsChronologically(series, options, new ChronologicalSplit(200, 251, 300));

        Assert.Equal(byRows.Boundaries, byTime.Boundaries);
        Assert.Null(byTime.SeriesBoundaries);
        Assert.Equal(byRows.Statistics!.Means, byTime.Statistics!.Means);
        foreach (var (expected, actual) in new[] { (byRows.Train, byTime.Train), (byRows.Validation, byTime.Validation), (byRows.Test, byTime.Test) })
        {
            Assert.Equal(expected.GetColumn<float[]>("Features"), actual.GetColumn<float[]>("Features"));
            Assert.Equal(expected.GetColumn<float[]>("Label"), actual.GetColumn<float[]>("Label"));
        }
        var error = Assert.Throws<ArgumentException>(() => ml.Data.SplitSequenceWindowsByTime(series, new SequenceWindowOptions { InputColumnNames = new[] { "A" }, InputLength = 12, Horizon = 5, TimestampColumnName = null },
            GeneratedSeries.Start.AddHours(200), GeneratedSeries.Start.AddHours(250)));
        Assert.Contains("needs TimestampColumnName", error.Message);
    }

    internal static void AssertStatistics(SeriesStatistics statistics, double[] value, double[] load)
    {
        Assert.Equal(new[] { "Value", "Load" }, statistics.ColumnNames);
        foreach (var (column, values) in new[] { (0, value), (1, load) })
        {
            double mean = values.Average();
            Assert.Equal(mean, statistics.Means[column], 9);
            Assert.Equal(Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average()), statistics.StandardDeviations[column], 9);
        }
    }

    private static void AssertWindows(List<SeriesWindow> expected, IDataView windows)
    {
        List<SeriesWindow> actual = LongFormSeries.Read(windows);
        Assert.Equal(expected.Select(w => (w.Series, w.Start)), actual.Select(w => (w.Series, w.Start)));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Features, actual[i].Features);
            Assert.Equal(expected[i].Label, actual[i].Label);
        }
    }
}
