using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.ChildProcess;
using MLNetSeq2Seq.Tests.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>The training series (columns, input length, z-score statistics) recorded by Fit, saved in the zip, and
/// checked by Transform.</summary>
public sealed class TrainingSeriesTests : IClassFixture<TrainedForecaster>
{
    internal const string PrintCommand = "print-training-series";
    private readonly TrainedForecaster _f;

    public TrainingSeriesTests(TrainedForecaster forecaster) => _f = forecaster;

    private static IEnumerable<string> Describe(TrainingSeries series)
    {
        yield return string.Join(",", series.InputColumnNames);
        yield return string.Join(",", series.TargetColumnNames);
        yield return series.InputLength.ToString(CultureInfo.InvariantCulture);
        SeriesStatistics statistics = series.Statistics!;
        for (int i = 0; i < statistics.ColumnNames.Count; i++)
            yield return $"{statistics.ColumnNames[i]}={statistics.Means[i].ToString("R", CultureInfo.InvariantCulture)}/{statistics.StandardDeviations[i].ToString("R", CultureInfo.InvariantCulture)}";
    }

    [Fact]
    public void Fit_records_the_windows_columns_length_and_the_split_statistics()
    {
        TrainingSeries series = _f.Model.TrainingSeries!;

        Assert.Equal(TrainedForecaster.Inputs, series.InputColumnNames);
        Assert.Equal(TrainedForecaster.Targets, series.TargetColumnNames);
        Assert.Equal(TrainedForecaster.InputLength, series.InputLength);
        SeriesStatistics split = _f.Split.Statistics!;
        foreach (string column in TrainedForecaster.Inputs)
        {
            Assert.Equal(split.Means[split.IndexOf(column)], series.Statistics!.Means[series.Statistics.IndexOf(column)]);
            Assert.Equal(split.StandardDeviations[split.IndexOf(column)], series.Statistics.StandardDeviations[series.Statistics.IndexOf(column)]);
        }
    }

    [Fact]
    public void The_training_series_round_trips_through_the_zip_in_a_fresh_process()
    {
        using var folder = new TemporaryFolder();
        _f.Context.Model.Save(_f.Model, _f.Split.Train.Schema, folder.File("model.zip"));

        var child = ChildProcessRunner.Run(TimeSpan.FromMinutes(2), PrintCommand, folder.File("model.zip"));

        Assert.True(child.ExitCode == 0, "child failed: " + child.StandardError);
        string[] lines = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(Describe(_f.Model.TrainingSeries!), lines);
    }

    internal static int PrintInChild(string[] args)
    {
        using var model = (Seq2SeqTransformer)new MLContext().Model.Load(args[0], out _);
        foreach (string line in Describe(model.TrainingSeries!))
            Console.WriteLine(line);
        return 0;
    }

    [Fact]
    public void Windows_of_another_length_are_refused_by_Transform_naming_both_lengths()
    {
        SequenceWindowOptions options = TrainedForecaster.WindowOptions();
        options.InputLength = 20;
        options.Standardization = _f.Split.Statistics;
        IDataView windows = _f.Context.Data.CreateSequenceWindows(_f.Series(200), options);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _f.Model.Transform(windows));

        Assert.Contains("windows of 20 steps", error.Message);
        Assert.Contains("windows of 30 steps", error.Message);
        Assert.Contains("'Features'", error.Message);
    }

    [Fact]
    public void Windows_of_other_columns_are_refused_by_Transform_naming_both_column_lists()
    {
        SequenceWindowOptions options = TrainedForecaster.WindowOptions();
        options.InputColumnNames = new[] { "C", "B", "A" };
        options.Standardization = _f.Split.Statistics;
        IDataView windows = _f.Context.Data.CreateSequenceWindows(_f.Series(200), options);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _f.Model.Transform(windows));

        Assert.Contains("'C', 'B', 'A'", error.Message);
        Assert.Contains("'A', 'B', 'C'", error.Message);
    }

    [Fact]
    public void Raw_values_where_z_scores_belong_are_warned_about_once_and_z_scores_are_not()
    {
        var warnings = new List<string>();
        _f.Context.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning && e.Message.Contains("standard deviations from the training mean", StringComparison.Ordinal))
                lock (warnings)
                    warnings.Add(e.Message);
        };
        SequenceWindowOptions standardized = TrainedForecaster.WindowOptions();
        standardized.Standardization = _f.Split.Statistics;
        _ = _f.Model.Transform(_f.Context.Data.CreateSequenceWindows(_f.Series(200), standardized)).GetColumn<float[]>("Score").ToArray();
        Assert.Empty(warnings);

        // Raw A is about 10 to 14: a third of every window lies beyond |z| = 10.
        IDataView raw = _f.Context.Data.CreateSequenceWindows(_f.Series(200), TrainedForecaster.WindowOptions());
        _ = _f.Model.Transform(raw).GetColumn<float[]>("Score").ToArray();
        _ = _f.Model.Transform(raw).GetColumn<float[]>("Score").ToArray();

        string warning = Assert.Single(warnings);
        Assert.Contains("feature column 'Features'", warning);
    }
}
