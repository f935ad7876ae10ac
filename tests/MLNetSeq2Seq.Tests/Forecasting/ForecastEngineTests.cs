using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.ChildProcess;
using MLNetSeq2Seq.Tests.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>The forecast engine: forecasts past the end in the series' units, observes new rows, saves and loads its state.</summary>
public sealed class ForecastEngineTests : IClassFixture<TrainedForecaster>
{
    internal const string ForecastCommand = "forecast-with-saved-engine";
    private readonly TrainedForecaster _f;

    public ForecastEngineTests(TrainedForecaster forecaster) => _f = forecaster;

    /// <summary>What Transform forecasts for the trailing window of rows [0, end), mapped back with the split's statistics.</summary>
    private float[] TransformForecast(int end, out DateTime forecastStart)
    {
        SequenceWindowOptions options = TrainedForecaster.WindowOptions();
        options.TrailingWindowCount = 1;
        options.Standardization = _f.Split.Statistics;
        options.TimestampColumnName = "Time";
        options.ForecastStartTimestampColumnName = "ForecastStart";
        IDataView window = _f.Context.Data.CreateSequenceWindows(_f.Series(end), options);
        IDataView scored = _f.Model.Transform(window);
        forecastStart = scored.GetColumn<DateTime>("ForecastStart").Single();
        float[] score = scored.GetColumn<float[]>("Score").Single();
        return _f.Split.Statistics!.Unstandardize(score, TrainedForecaster.Targets);
    }

    [Fact]
    public void The_engine_forecast_equals_Transform_on_the_trailing_window_in_original_units()
    {
        Seq2SeqForecast forecast = _f.Model.CreateForecastEngine(_f.Context, _f.Series(TrainedForecaster.RowCount), "Time").Predict();

        float[] expected = TransformForecast(TrainedForecaster.RowCount, out DateTime forecastStart);
        Assert.Equal(TrainedForecaster.Horizon, forecast.Horizon);
        Assert.Equal(TrainedForecaster.Targets, forecast.ColumnNames);
        Assert.Equal(expected, forecast.Values);
        // Original units: A is about 10 + 0.01 t on the generated series, far from its z-score near 0.
        Assert.InRange(forecast.Column("A").Average(), 12.0, 16.0);
        DateTime lastRow = DateTime.Parse(_f.Rows[^1].Time, CultureInfo.InvariantCulture);
        Assert.Equal(forecastStart, forecast.Timestamps![0]);
        Assert.Equal(Enumerable.Range(1, TrainedForecaster.Horizon).Select(h => lastRow.AddHours(h)), forecast.Timestamps);
    }

    [Fact]
    public void Observing_new_rows_moves_the_window_to_the_forecast_of_the_extended_series()
    {
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(360), "Time");
        Seq2SeqForecast before = engine.Predict();
        engine.Observe(_f.Series(_f.Rows.Skip(360).Take(35)));     // more rows than the window (L = 30): a replacement
        engine.Observe(_f.Rows.Skip(395).Take(7).ToArray());        // fewer: a shift
        engine.Observe(_f.Rows.Skip(402).Take(18).ToArray());       // and another

        Seq2SeqForecast after = engine.Predict();
        Seq2SeqForecast fromScratch = _f.Model.CreateForecastEngine(_f.Context, _f.Series(TrainedForecaster.RowCount), "Time").Predict();
        Assert.Equal(fromScratch.Values, after.Values);
        Assert.Equal(fromScratch.Timestamps, after.Timestamps);
        Assert.Equal(TransformForecast(TrainedForecaster.RowCount, out _), after.Values);
        Assert.NotEqual(before.Values, after.Values);
        Assert.Equal(TrainedForecaster.RowCount, engine.ObservationCount);
    }

    [Fact]
    public void A_checkpoint_loads_into_an_engine_that_forecasts_identically_and_continues_identically()
    {
        using var folder = new TemporaryFolder();
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(400), "Time");
        engine.CheckPoint(folder.File("engine.bin"));

        var loaded = Seq2SeqForecastEngine.Load(_f.Context, _f.Model, folder.File("engine.bin"));
        Assert.Equal(engine.Predict().Values, loaded.Predict().Values);
        Assert.Equal(engine.Predict().Timestamps, loaded.Predict().Timestamps);
        engine.Observe(_f.Rows.Skip(400).ToArray());
        loaded.Observe(_f.Rows.Skip(400).ToArray());
        Assert.Equal(engine.Predict().Values, loaded.Predict().Values);
        Assert.Equal(engine.ObservationCount, loaded.ObservationCount);
    }

    [Fact]
    public void A_saved_model_and_engine_state_forecast_identically_in_a_fresh_process()
    {
        using var folder = new TemporaryFolder();
        _f.Context.Model.Save(_f.Model, _f.Split.Train.Schema, folder.File("model.zip"));
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(TrainedForecaster.RowCount), "Time");
        engine.CheckPoint(folder.File("engine.bin"));
        Seq2SeqForecast expected = engine.Predict();

        var child = ChildProcessRunner.Run(TimeSpan.FromMinutes(2), ForecastCommand, folder.File("model.zip"), folder.File("engine.bin"));

        Assert.True(child.ExitCode == 0, "child failed: " + child.StandardError);
        string[] lines = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(expected.Timestamps!.Select(t => t.ToString("O", CultureInfo.InvariantCulture)), lines.Take(TrainedForecaster.Horizon));
        Assert.Equal(expected.Values, lines.Skip(TrainedForecaster.Horizon).Select(s => float.Parse(s, CultureInfo.InvariantCulture)));
    }

    /// <summary>Child side: loads the model with a plain MLContext and the engine state, prints the timestamps, then the values.</summary>
    internal static int ForecastInChild(string[] args)
    {
        var ml = new MLContext();
        using var model = (Seq2SeqTransformer)ml.Model.Load(args[0], out _);
        Seq2SeqForecast forecast = Seq2SeqForecastEngine.Load(ml, model, args[1]).Predict();
        foreach (DateTime time in forecast.Timestamps!)
            Console.WriteLine(time.ToString("O", CultureInfo.InvariantCulture));
        foreach (float value in forecast.Values)
            Console.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }

    [Fact]
    public void A_NaN_observation_is_an_error_naming_column_and_row_and_leaves_the_engine_unchanged()
    {
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(400), "Time");
        float[] before = engine.Predict().Values.ToArray();
        SeriesRow[] next = _f.Rows.Skip(400).Take(5).Select(r => new SeriesRow { Time = r.Time, A = r.A, B = r.B, C = r.C, D = r.D, E = r.E }).ToArray();
        next[3].B = float.NaN;

        var error = Assert.Throws<InvalidOperationException>(() => engine.Observe(next));

        Assert.Contains("column 'B' row 3 holds NaN", error.Message);
        Assert.Equal(before, engine.Predict().Values);
        Assert.Equal(400, engine.ObservationCount);
    }

    [Fact]
    public void Observations_out_of_time_order_are_refused_naming_the_timestamp()
    {
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(400), "Time");

        var error = Assert.Throws<ArgumentException>(() => engine.Observe(_f.Rows.Skip(390).Take(3).ToArray()));

        Assert.Contains("Timestamp column 'Time' row 0", error.Message);
        Assert.Equal(400, engine.ObservationCount);
    }

    [Fact]
    public void A_history_shorter_than_the_input_length_or_without_a_column_is_a_clear_error()
    {
        var shortHistory = Assert.Throws<ArgumentException>(() => _f.Model.CreateForecastEngine(_f.Context, _f.Series(29), "Time"));
        Assert.Contains("29 rows", shortHistory.Message);
        Assert.Contains("30", shortHistory.Message);

        IDataView withoutB = _f.Context.Transforms.DropColumns("B").Fit(_f.Series(100)).Transform(_f.Series(100));
        var missing = Assert.Throws<ArgumentException>(() => _f.Model.CreateForecastEngine(_f.Context, withoutB, "Time"));
        Assert.Contains("Column 'B'", missing.Message);
    }

    [Fact]
    public void A_damaged_checkpoint_or_one_from_another_model_is_refused()
    {
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(400));
        using var saved = new MemoryStream();
        engine.CheckPoint(saved);
        byte[] bytes = saved.ToArray();
        bytes[bytes.Length / 2] ^= 0x40;

        var damaged = Assert.Throws<InvalidDataException>(() => Seq2SeqForecastEngine.Load(_f.Context, _f.Model, new MemoryStream(bytes)));
        Assert.Contains("checksum", damaged.Message);

        var ml = new MLContext(seed: 1);
        var rows = GeneratedSeries.Create(200);
        SequenceWindowOptions other = TrainedForecaster.WindowOptions();
        other.InputLength = 20;
        var otherSplit = ml.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(ml, rows), other, new ChronologicalSplit(120, 160, 200));
        using var otherModel = ml.Regression.Trainers.Seq2Seq(Reliability.ReliabilityKit.TinyOptions(maxEpochs: 1)).Fit(otherSplit.Train);
        var mismatch = Assert.Throws<ArgumentException>(() => Seq2SeqForecastEngine.Load(ml, otherModel, new MemoryStream(saved.ToArray())));
        Assert.Contains("30 steps", mismatch.Message);
        Assert.Contains("20 steps", mismatch.Message);
    }

    [Fact]
    public void A_model_trained_on_other_data_has_no_training_series_and_no_engine()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(64, seed: 3));
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(Reliability.ReliabilityKit.TinyOptions(maxEpochs: 1)).Fit(data);

        Assert.Null(model.TrainingSeries);
        var error = Assert.Throws<InvalidOperationException>(() => model.CreateForecastEngine(ml, data));
        Assert.Contains("TrainingSeries is null", error.Message);
    }
}
