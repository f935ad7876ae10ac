using System;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.ChildProcess;
using MLNetSeq2Seq.Tests.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>Known-future inputs through Fit, Transform, the forecast engine and the model file.</summary>
public sealed class FutureInputTests : IClassFixture<FutureInputForecaster>
{
    internal const string PrintCommand = "print-future-input-model";
    private const int L = 24, H = 12;
    private readonly FutureInputForecaster _f;

    public FutureInputTests(FutureInputForecaster forecaster) => _f = forecaster;

    [Fact]
    public void A_target_that_steps_on_scheduled_events_is_forecast_far_better_with_the_schedule_as_a_future_input()
    {
        var ml = new MLContext(seed: 1);
        EventRow[] rows = EventSeries.Create(1400);
        var split = new ChronologicalSplit(1000, 1200, 1400);
        SequenceWindowSplit with = ml.Data.SplitSequenceWindowsChronologically(EventSeries.Load(ml, rows), EventSeries.WindowOptions(futureEvents: true), split);
        SequenceWindowSplit without = ml.Data.SplitSequenceWindowsChronologically(EventSeries.Load(ml, rows), EventSeries.WindowOptions(futureEvents: false), split);

        using Seq2SeqTransformer withModel = ml.Regression.Trainers.Seq2Seq(EventSeries.Options(future: true)).Fit(with.Train);
        using Seq2SeqTransformer withoutModel = ml.Regression.Trainers.Seq2Seq(EventSeries.Options(future: false)).Fit(without.Train);
        double withMse = EventSeries.MeanSquaredError(withModel.Transform(with.Test));
        double withoutMse = EventSeries.MeanSquaredError(withoutModel.Transform(without.Test));

        Assert.Equal(1, withModel.FutureFeatureCount);
        Assert.Equal(0, withoutModel.FutureFeatureCount);
        // Same windows, same labels: only the schedule of the forecast steps differs.
        Assert.Equal(with.Test.GetColumn<float[]>("Label").SelectMany(v => v), without.Test.GetColumn<float[]>("Label").SelectMany(v => v));
        Assert.True(withoutMse > 5 * withMse, $"test MSE with the schedule {withMse:F4}, without {withoutMse:F4}: expected at least 5× lower with it");
    }

    /// <summary>What Transform forecasts, in the series' units, for the window whose input ends at row <paramref name="end"/>.</summary>
    private float[] TransformForecast(int end)
    {
        SequenceWindowOptions options = FutureInputForecaster.WindowOptions();
        options.Standardization = _f.Split.Statistics;
        options.FirstRow = end - L;
        options.RowCount = L + H;
        IDataView window = _f.Context.Data.CreateSequenceWindows(EventSeries.Load(_f.Context, _f.Rows), options);
        float[] score = _f.Model.Transform(window).GetColumn<float[]>("Score").Single();
        return _f.Split.Statistics!.Unstandardize(score, new[] { "Load" });
    }

    private EventPlanRow[] Plan(int from, int count) => _f.Rows.Skip(from).Take(count).Select(r => new EventPlanRow { Event = r.Event }).ToArray();

    [Fact]
    public void The_engine_forecast_with_the_planned_values_equals_Transform_on_the_same_window()
    {
        const int end = 330;
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(end), "Time");

        Seq2SeqForecast forecast = engine.Predict(Plan(end, H));

        Assert.Equal(TransformForecast(end), forecast.Values);
        // The schedule matters: another plan gives another forecast.
        EventPlanRow[] allOn = Enumerable.Range(0, H).Select(_ => new EventPlanRow { Event = 1 }).ToArray();
        Assert.NotEqual(forecast.Values, engine.Predict(allOn).Values);
    }

    [Fact]
    public void The_engine_refuses_a_plan_of_the_wrong_length_a_NaN_plan_or_no_plan()
    {
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(330), "Time");

        Assert.Contains("'Event'", Assert.Throws<InvalidOperationException>(() => engine.Predict()).Message);
        var shortPlan = Assert.Throws<ArgumentException>(() => engine.Predict(Plan(330, H - 1)));
        Assert.Contains($"exactly {H} rows", shortPlan.Message);
        Assert.Contains($"exactly {H} rows", Assert.Throws<ArgumentException>(() => engine.Predict(Plan(330, H + 3))).Message);
        EventPlanRow[] plan = Plan(330, H);
        plan[4].Event = float.NaN;
        Assert.Contains("column 'Event' row 4 holds NaN", Assert.Throws<InvalidOperationException>(() => engine.Predict(plan)).Message);
        var noTimestamps = Assert.Throws<ArgumentException>(() => _f.Model.CreateForecastEngine(_f.Context, _f.Series(330)));
        Assert.Equal("timestampColumnName", noTimestamps.ParamName);
        Assert.Contains("calendar", noTimestamps.Message);
    }

    /// <summary>Windows built by hand: features [L, 2], future features of any length.</summary>
    private sealed class HandRow
    {
        [VectorType(L, 2)]
        public float[] Features { get; set; } = new float[L * 2];

        public float[] FutureFeatures { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void Transform_refuses_future_features_of_the_wrong_length_or_NaN_naming_column_and_row()
    {
        int k = _f.Model.FutureFeatureCount;
        Assert.Equal(1 + 2 + 2 + 1, k);
        HandRow[] Rows(int badRow, float[] bad) => Enumerable.Range(0, 3)
            .Select(i => new HandRow { FutureFeatures = i == badRow ? bad : new float[H * k] }).ToArray();

        IDataView wrongLength = _f.Model.Transform(_f.Context.Data.LoadFromEnumerable(Rows(2, new float[H * k - 1])));
        var lengthError = Assert.Throws<InvalidOperationException>(() => wrongLength.GetColumn<float[]>("Score").ToArray());
        Assert.Contains($"Future-feature column 'FutureFeatures' row 2 holds {H * k - 1} values", lengthError.Message);

        float[] withNaN = new float[H * k];
        withNaN[7] = float.NaN;
        IDataView nan = _f.Model.Transform(_f.Context.Data.LoadFromEnumerable(Rows(1, withNaN)));
        var nanError = Assert.Throws<InvalidOperationException>(() => nan.GetColumn<float[]>("Score").ToArray());
        Assert.Contains("Future-feature column 'FutureFeatures' row 1 holds NaN", nanError.Message);

        var missing = Assert.ThrowsAny<ArgumentException>(() => _f.Model.Transform(_f.Context.Data.LoadFromEnumerable(new[] { new ReliabilityRow() })));
        Assert.Contains("FutureFeatures", missing.Message);
    }

    private sealed class ReliabilityRow
    {
        [VectorType(L, 2)]
        public float[] Features { get; set; } = new float[L * 2];
    }

    [Fact]
    public void Export_to_PyTorch_or_ONNX_is_refused_with_the_reason()
    {
        var error = Assert.Throws<NotSupportedException>(() => _f.Context.Model.ExportSeq2SeqToPyTorch(_f.Model, new System.IO.MemoryStream()));
        Assert.Contains("known-future", error.Message);
        string? onnx = ((MLNetSeq2Seq.Onnx.IOnnxExportable)_f.Model).WhyNotOnnx(L);
        Assert.Contains("known-future", onnx);
    }

    [Fact]
    public void Every_future_option_saves_and_loads_in_a_fresh_process()
    {
        using var folder = new TemporaryFolder();
        _f.Context.Model.Save(_f.Model, _f.Split.Train.Schema, folder.File("model.zip"));
        float[] scores = _f.Model.Transform(_f.Split.Test).GetColumn<float[]>("Score").SelectMany(v => v).ToArray();
        float[] forecast = _f.Model.CreateForecastEngine(_f.Context, _f.Series(355), "Time").Predict(Plan(355, H)).Values.ToArray();

        var child = ChildProcessRunner.Run(TimeSpan.FromMinutes(2), PrintCommand, folder.File("model.zip"));

        Assert.True(child.ExitCode == 0, "child failed: " + child.StandardError);
        string[] lines = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("FutureFeatures", lines[0]);
        Assert.Equal(_f.Model.FutureFeatureCount.ToString(CultureInfo.InvariantCulture), lines[1]);
        Assert.Equal(scores, lines[2].Split(';').Select(s => float.Parse(s, CultureInfo.InvariantCulture)));
        Assert.Equal(forecast, lines[3].Split(';').Select(s => float.Parse(s, CultureInfo.InvariantCulture)));
    }

    /// <summary>Child side: loads the model with a plain MLContext, rebuilds the same windows and series, and prints the future
    /// column name, K, the test scores, and the engine's forecast after row 355 (its steps fall on the holiday; it uses the saved holiday, calendar and statistics).</summary>
    internal static int PrintInChild(string[] args)
    {
        var ml = new MLContext(seed: 1);
        using var model = (Seq2SeqTransformer)ml.Model.Load(args[0], out _);
        EventRow[] rows = EventSeries.Create(FutureInputForecaster.RowCount);
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(EventSeries.Load(ml, rows), FutureInputForecaster.WindowOptions(), new ChronologicalSplit(300, 350, 400));
        Console.WriteLine(model.FutureFeatureColumnName);
        Console.WriteLine(model.FutureFeatureCount.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine(string.Join(";", model.Transform(split.Test).GetColumn<float[]>("Score").SelectMany(v => v).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        var engine = model.CreateForecastEngine(ml, EventSeries.Load(ml, rows.Take(355)), "Time");
        var plan = rows.Skip(355).Take(H).Select(r => new EventPlanRow { Event = r.Event }).ToArray();
        Console.WriteLine(string.Join(";", engine.Predict(plan).Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        return 0;
    }
}
