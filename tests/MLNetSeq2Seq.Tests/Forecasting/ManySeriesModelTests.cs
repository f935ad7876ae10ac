using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>
/// A model trained on windows of many series standardized per series records the series column and every series'
/// statistics, keeps them through the zip, passes the series id through Transform, and forecasts one series at a
/// time with that series' statistics.
/// </summary>
public sealed class ManySeriesModelTests
{
    private const int L = 6, H = 3;

    [Fact]
    public void Per_series_statistics_round_trip_through_the_model_and_the_forecast_engine_uses_each_series_own()
    {
        var ml = new MLContext(seed: 1);
        IDataView series = ml.Data.LoadFromEnumerable(LongFormSeries.Interleaved());
        SequenceWindowOptions options = LongFormSeries.Options(L, H);
        options.SeriesStandardization = SeriesStandardization.PerSeries;
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsByFractions(series, options, 0.6, 0.2);
        using Seq2SeqTransformer trained = ml.Regression.Trainers.Seq2Seq(new Seq2SeqOptions { HiddenSize = 8, BatchSize = 8, MaxEpochs = 1, Seed = 2 }).Fit(split.Train);
        Assert.Equal("Series", trained.TrainingSeries!.SeriesColumnName);
        Assert.Null(trained.TrainingSeries.Statistics);

        using var folder = new TemporaryFolder();
        ml.Model.Save(trained, split.Train.Schema, folder.File("model.zip"));
        using var model = (Seq2SeqTransformer)new MLContext(seed: 1).Model.Load(folder.File("model.zip"), out _);

        PerSeriesStatistics saved = model.TrainingSeries!.PerSeriesStatistics!, original = split.PerSeriesStatistics!;
        Assert.Equal("Series", model.TrainingSeries.SeriesColumnName);
        Assert.Equal(original.SeriesIds, saved.SeriesIds);
        foreach (string id in original.SeriesIds)
        {
            Assert.Equal(original[id].Means, saved[id].Means);
            Assert.Equal(original[id].StandardDeviations, saved[id].StandardDeviations);
        }

        // Transform passes the series id through next to the score.
        IDataView scored = model.Transform(split.Test);
        Assert.Equal(split.Test.GetColumn<string>("Series"), scored.GetColumn<string>("Series"));

        // The engine needs to know which series it forecasts, and then uses that series' statistics: its forecast equals
        // the trailing window of that series, standardized with them, scored, and mapped back with them.
        List<LongFormRow> south = LongFormSeries.BySeries()[1];
        IDataView history = ml.Data.LoadFromEnumerable(south);
        var error = Assert.Throws<ArgumentException>(() => model.CreateForecastEngine(ml, history));
        Assert.Contains("pass seriesId", error.Message);
        Assert.Contains("has no statistics for series 'west'", Assert.Throws<ArgumentException>(() => model.CreateForecastEngine(ml, history, seriesId: "west")).Message);
        Seq2SeqForecast forecast = model.CreateForecastEngine(ml, history, seriesId: "south").Predict();

        SequenceWindowOptions trailing = LongFormSeries.Options(L, H);
        trailing.TrailingWindowCount = 1;
        trailing.PerSeriesStandardization = saved;
        IDataView lastWindows = ml.Data.CreateSequenceWindows(series, trailing);
        int southRow = lastWindows.GetColumn<string>("Series").ToList().IndexOf("south");
        float[] score = model.Transform(lastWindows).GetColumn<float[]>("Score").ElementAt(southRow);
        float[] expected = saved["south"].Unstandardize(score, new[] { "Value", "Load" });
        Assert.Equal(expected.Length, forecast.Values.Count);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], forecast.Values[i], 2e-3f * Math.Max(1f, Math.Abs(expected[i])));
        // South is around 2000, north around 1000: each forecast lands in its own series' range only with its own statistics.
        Assert.InRange(forecast[0, "Value"], 1500f, 2500f);
    }

    [Fact]
    public void A_model_trained_on_many_series_with_global_statistics_records_the_series_column_only()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsByFractions(ml.Data.LoadFromEnumerable(LongFormSeries.Contiguous()), LongFormSeries.Options(L, H), 0.6, 0.2);
        using Seq2SeqTransformer trained = ml.Regression.Trainers.Seq2Seq(new Seq2SeqOptions { HiddenSize = 8, BatchSize = 8, MaxEpochs = 1, Seed = 2 }).Fit(split.Train);
        using var folder = new TemporaryFolder();
        ml.Model.Save(trained, split.Train.Schema, folder.File("model.zip"));
        using var model = (Seq2SeqTransformer)ml.Model.Load(folder.File("model.zip"), out _);

        Assert.Equal("Series", model.TrainingSeries!.SeriesColumnName);
        Assert.Null(model.TrainingSeries.PerSeriesStatistics);
        Assert.Equal(split.Statistics!.Means, model.TrainingSeries.Statistics!.Means);
        // With one set of statistics the engine needs no series id.
        Assert.Equal(H, model.CreateForecastEngine(ml, ml.Data.LoadFromEnumerable(LongFormSeries.BySeries()[0])).Predict().Horizon);
    }
}
