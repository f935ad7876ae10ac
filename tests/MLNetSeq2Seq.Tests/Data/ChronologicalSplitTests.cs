using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

public sealed class ChronologicalSplitTests
{
    private static readonly string[] Columns = { "A", "B", "D" };
    private readonly MLContext _ml = new(seed: 1);

    [Theory]
    [InlineData(10, 4, 1)]
    [InlineData(24, 6, 1)]
    [InlineData(7, 5, 3)]
    public void Each_part_holds_exactly_the_windows_whose_targets_lie_in_its_rows(int L, int H, int stride)
    {
        var series = GeneratedSeries.Create(260);
        var boundaries = new ChronologicalSplit(150, 200, 250);

        SequenceWindowSplit split = _ml.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(_ml, series), Options(L, H, stride), boundaries, standardize: false);

        // Independently: every window of the whole series, assigned by where its inputs and targets lie.
        var all = GeneratedSeries.ExpectedStarts(0, series.Length, L, H, 1);
        var train = all.Where(s => s + L + H <= 150).Where(s => s % stride == 0).ToList();
        var validation = all.Where(s => s + L >= 150 && s + L + H <= 200).Where(s => (s - (150 - L)) % stride == 0).ToList();
        var test = all.Where(s => s + L >= 200 && s + L + H <= 250).Where(s => (s - (200 - L)) % stride == 0).ToList();
        Assert.Equal(train, Starts(split.Train));
        Assert.Equal(validation, Starts(split.Validation));
        Assert.Equal(test, Starts(split.Test));
        if (stride == 1)
            Assert.Equal(new[] { 150 - L - H + 1, 50 - H + 1, 50 - H + 1 }, new[] { train.Count, validation.Count, test.Count });
    }

    [Fact]
    public void Targets_never_overlap_and_validation_and_test_inputs_look_back_across_their_boundary()
    {
        const int L = 12, H = 5;
        var series = GeneratedSeries.Create(200);
        var boundaries = new ChronologicalSplit(100, 140, 180);

        SequenceWindowSplit split = _ml.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(_ml, series), Options(L, H, 1), boundaries, standardize: false);

        HashSet<long> TargetRows(IDataView part) => Starts(part).SelectMany(s => Enumerable.Range(0, H).Select(h => s + L + h)).ToHashSet();
        HashSet<long> train = TargetRows(split.Train), validation = TargetRows(split.Validation), test = TargetRows(split.Test);
        Assert.Empty(train.Intersect(validation));
        Assert.Empty(validation.Intersect(test));
        Assert.Empty(train.Intersect(test));
        Assert.Equal(Range(L, 100), train.OrderBy(r => r));          // every training row after the first window's inputs is a target
        Assert.Equal(Range(100, 140), validation.OrderBy(r => r));   // every validation row is a target
        Assert.Equal(Range(140, 180), test.OrderBy(r => r));

        WindowRow firstValidation = WindowReader.ReadAll(split.Validation)[0], firstTest = WindowReader.ReadAll(split.Test)[0];
        Assert.Equal(100 - L, firstValidation.Start);                 // inputs from training rows
        Assert.Equal(GeneratedSeries.Steps(series, 100 - L, L, Columns), firstValidation.Features);
        Assert.Equal(series[100].Time, firstValidation.ForecastTimestamp);
        Assert.Equal(140 - L, firstTest.Start);                       // inputs from validation rows
        Assert.Equal(GeneratedSeries.Steps(series, 140, H, Columns), firstTest.Label);
        Assert.Null(split.Statistics);
    }

    [Fact]
    public void Standardization_uses_the_mean_and_population_deviation_of_the_training_rows_only()
    {
        const int L = 6, H = 3, a = 120;
        var series = GeneratedSeries.Create(240);
        var boundaries = new ChronologicalSplit(a, 180, 240);

        SequenceWindowSplit split = _ml.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(_ml, series), Options(L, H, 1), boundaries);

        SeriesStatistics statistics = Assert.IsType<SeriesStatistics>(split.Statistics);
        Assert.Equal(Columns, statistics.ColumnNames);
        Assert.Equal((0L, (long)a), (statistics.FirstRow, statistics.RowCount));
        foreach (string column in Columns)
        {
            double[] trainValues = series.Take(a).Select(r => (double)r.Value(column)).ToArray();
            double mean = trainValues.Average(), std = Math.Sqrt(trainValues.Select(v => (v - mean) * (v - mean)).Average());
            double meanOfAll = series.Average(r => (double)r.Value(column));
            Assert.Equal(mean, statistics.Means[statistics.IndexOf(column)], 9);
            Assert.Equal(std, statistics.StandardDeviations[statistics.IndexOf(column)], 9);
            if (column == "D") // D has a trend: statistics of all rows would differ clearly
                Assert.True(Math.Abs(meanOfAll - mean) > 10 * std / a, $"mean of all rows {meanOfAll} vs train {mean}");
        }

        WindowRow lastTest = WindowReader.ReadAll(split.Test)[^1];
        float[] raw = GeneratedSeries.Steps(series, lastTest.Start!.Value + L, H, Columns);
        float[] expected = raw.Select((v, i) =>
        {
            int c = statistics.IndexOf(Columns[i % Columns.Length]);
            return (float)((v - statistics.Means[c]) / statistics.StandardDeviations[c]);
        }).ToArray();
        Assert.Equal(expected, lastTest.Label);
        Assert.Equal(raw, statistics.Unstandardize(lastTest.Label, Columns), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void Statistics_computed_separately_over_the_training_rows_match_the_split()
    {
        var series = GeneratedSeries.Create(240);
        IDataView data = GeneratedSeries.Load(_ml, series);

        SeriesStatistics separately = _ml.Data.ComputeSeriesStatistics(data, Columns, firstRow: 0, rowCount: 120);
        SequenceWindowSplit split = _ml.Data.SplitSequenceWindowsChronologically(data, Options(6, 3, 1), new ChronologicalSplit(120, 180, 240));

        Assert.Equal(separately.Means, split.Statistics!.Means);
        Assert.Equal(separately.StandardDeviations, split.Statistics.StandardDeviations);
    }

    [Fact]
    public void The_ETT_hourly_boundaries_are_12_4_and_4_months_of_30_days()
    {
        const int month = 30 * 24;

        Assert.Equal(new ChronologicalSplit(12 * month, 16 * month, 20 * month), ChronologicalSplit.EttHourly);
        Assert.Equal(new ChronologicalSplit(4 * 12 * month, 4 * 16 * month, 4 * 20 * month), ChronologicalSplit.EttFifteenMinutes);
    }

    [Fact]
    public void Fractions_give_floored_boundaries_and_the_rest_to_test()
    {
        ChronologicalSplit split = ChronologicalSplit.FromFractions(1001, 0.7, 0.1);

        Assert.Equal(new ChronologicalSplit((long)Math.Floor(1001 * 0.7), (long)Math.Floor(1001 * 0.7) + (long)Math.Floor(1001 * 0.1), 1001), split);
        Assert.Contains("validationFraction", Assert.Throws<ArgumentOutOfRangeException>(() => ChronologicalSplit.FromFractions(100, 0.7, 0.3)).Message);
    }

    [Theory]
    [InlineData(100, 150, 300, "TestEnd is row 300, but the series has only 260 rows")]
    [InlineData(100, 103, 200, "No validation window fits: validation targets [100, 103) are 3 rows, fewer than Horizon = 4")]
    [InlineData(13, 100, 200, "No training window fits: training rows [0, 13) are 13 rows, but one window needs InputLength + Horizon = 14")]
    [InlineData(100, 90, 200, "0 < TrainEnd < ValidationEnd < TestEnd; they are 100, 90, 200")]
    public void Boundaries_that_cannot_hold_the_windows_are_explained(long a, long b, long c, string messagePart)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.Data.SplitSequenceWindowsChronologically(
            GeneratedSeries.Load(_ml, GeneratedSeries.Create(260)), Options(10, 4, 1), new ChronologicalSplit(a, b, c)));

        Assert.Contains(messagePart, error.Message);
    }

    [Fact]
    public void A_row_range_in_the_options_is_refused_because_the_split_sets_it()
    {
        SequenceWindowOptions options = Options(10, 4, 1);
        options.FirstRow = 5;

        var error = Assert.Throws<ArgumentException>(() => _ml.Data.SplitSequenceWindowsChronologically(
            GeneratedSeries.Load(_ml, GeneratedSeries.Create(260)), options, new ChronologicalSplit(100, 150, 200)));

        Assert.Contains("leave FirstRow (it is 5) and RowCount (it is null) unset", error.Message);
    }

    internal static IEnumerable<long> Starts(IDataView windows) => WindowReader.ReadAll(windows).Select(w => w.Start!.Value);

    private static IEnumerable<long> Range(long from, long to) => Enumerable.Range((int)from, (int)(to - from)).Select(i => (long)i);

    private static SequenceWindowOptions Options(int inputLength, int horizon, int stride) =>
        SequenceWindowTests.Options(inputLength, horizon, stride, Columns);

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));
        public int GetHashCode(float obj) => 0;
    }
}
