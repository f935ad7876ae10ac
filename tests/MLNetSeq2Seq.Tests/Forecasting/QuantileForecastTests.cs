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

/// <summary>Quantile forecasts of trained models: the quantile column, the engine's bounds, save/load, and the refusals.</summary>
public sealed class QuantileForecastTests : IClassFixture<QuantileForecaster>
{
    internal const string PrintCommand = "print-quantile-forecast";
    private const int O = 2, Q = 3;
    private readonly QuantileForecaster _f;

    public QuantileForecastTests(QuantileForecaster forecaster) => _f = forecaster;

    private Seq2SeqTransformer Model(string which) => which == "segment" ? _f.Segment : _f.Median;

    private static string[] SlotNames(DataViewSchema.Column column)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.Annotations.GetValue("SlotNames", ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    [Theory]
    [InlineData("segment")]
    [InlineData("median")]
    public void Trained_quantile_columns_never_cross_and_name_each_slot_with_its_level(string which)
    {
        IDataView scored = Model(which).Transform(_f.Split.Test);

        float[][] quantiles = scored.GetColumn<float[]>("ScoreQuantiles").ToArray();
        Assert.NotEmpty(quantiles);
        int crossings = 0, spread = 0;
        foreach (float[] row in quantiles)
        {
            Assert.Equal(TrainedForecaster.Horizon * Q * O, row.Length);
            for (int h = 0; h < TrainedForecaster.Horizon; h++)
                for (int o = 0; o < O; o++)
                {
                    float low = row[(h * Q + 0) * O + o], mid = row[(h * Q + 1) * O + o], high = row[(h * Q + 2) * O + o];
                    crossings += (low > mid ? 1 : 0) + (mid > high ? 1 : 0);
                    spread += high > low ? 1 : 0;
                }
        }
        Assert.Equal(0, crossings);
        Assert.True(spread > 0);
        string[] scoreNames = SlotNames(scored.Schema["Score"]);
        string[] expected = Enumerable.Range(0, TrainedForecaster.Horizon)
            .SelectMany(h => new[] { "0.10", "0.50", "0.90" }.SelectMany(level => Enumerable.Range(0, O).Select(o => scoreNames[h * O + o] + "@q" + level)))
            .ToArray();
        Assert.Equal(expected, SlotNames(scored.Schema["ScoreQuantiles"]));
        Assert.Equal("B@t+1@q0.10", SlotNames(scored.Schema["ScoreQuantiles"])[0]);
    }

    [Fact]
    public void With_the_point_loss_off_Score_equals_the_median_column()
    {
        IDataView scored = _f.Median.Transform(_f.Split.Test);
        float[][] scores = scored.GetColumn<float[]>("Score").ToArray();
        float[][] quantiles = scored.GetColumn<float[]>("ScoreQuantiles").ToArray();

        for (int r = 0; r < scores.Length; r++)
            for (int h = 0; h < TrainedForecaster.Horizon; h++)
                for (int o = 0; o < O; o++)
                    Assert.Equal(scores[r][h * O + o], quantiles[r][(h * Q + 1) * O + o]);
    }

    [Fact]
    public void The_engine_bounds_equal_the_quantile_column_in_original_units()
    {
        SequenceWindowOptions options = TrainedForecaster.WindowOptions();
        options.TrailingWindowCount = 1;
        options.Standardization = _f.Split.Statistics;
        IDataView window = _f.Context.Data.CreateSequenceWindows(GeneratedSeries.Load(_f.Context, _f.Rows), options);
        float[] column = _f.Segment.Transform(window).GetColumn<float[]>("ScoreQuantiles").Single();
        float[] expected = _f.Split.Statistics!.Unstandardize(column, TrainedForecaster.Targets);

        Seq2SeqForecast forecast = _f.Segment.CreateForecastEngine(_f.Context, GeneratedSeries.Load(_f.Context, _f.Rows), "Time").Predict();

        Assert.Equal(QuantileForecaster.Levels, forecast.QuantileLevels);
        Assert.Equal(expected, forecast.QuantileValues);
        foreach (string target in TrainedForecaster.Targets)
        {
            int o = Array.IndexOf(TrainedForecaster.Targets, target);
            var (lower, upper) = forecast.Bounds(target, 0.1, 0.9);
            Assert.Equal(Enumerable.Range(0, TrainedForecaster.Horizon).Select(h => expected[(h * Q + 0) * O + o]), lower);
            Assert.Equal(Enumerable.Range(0, TrainedForecaster.Horizon).Select(h => expected[(h * Q + 2) * O + o]), upper);
            Assert.All(Enumerable.Range(0, TrainedForecaster.Horizon), h => Assert.True(lower[h] <= upper[h]));
        }
        Assert.Throws<ArgumentException>(() => forecast.Quantile("A", 0.25));
    }

    [Theory]
    [InlineData("segment")]
    [InlineData("median")]
    public void A_saved_quantile_model_forecasts_the_same_quantiles_in_a_fresh_process(string which)
    {
        using var folder = new TemporaryFolder();
        _f.Context.Model.Save(Model(which), _f.Split.Train.Schema, folder.File("model.zip"));
        var engine = Model(which).CreateForecastEngine(_f.Context, GeneratedSeries.Load(_f.Context, _f.Rows), "Time");
        engine.CheckPoint(folder.File("engine.bin"));
        Seq2SeqForecast expected = engine.Predict();

        var child = ChildProcessRunner.Run(TimeSpan.FromMinutes(2), PrintCommand, folder.File("model.zip"), folder.File("engine.bin"));

        Assert.True(child.ExitCode == 0, "child failed: " + child.StandardError);
        string[] lines = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(string.Join(",", QuantileForecaster.Levels.Select(l => l.ToString("R", CultureInfo.InvariantCulture))), lines[0]);
        Assert.Equal(expected.Values.Concat(expected.QuantileValues), lines.Skip(1).Select(s => float.Parse(s, CultureInfo.InvariantCulture)));
    }

    /// <summary>Child side: loads the model with a plain MLContext and the engine state, prints the levels, then the point and quantile values.</summary>
    internal static int PrintInChild(string[] args)
    {
        var ml = new MLContext();
        using var model = (Seq2SeqTransformer)ml.Model.Load(args[0], out _);
        Seq2SeqForecast forecast = Seq2SeqForecastEngine.Load(ml, model, args[1]).Predict();
        Console.WriteLine(string.Join(",", forecast.QuantileLevels.Select(l => l.ToString("R", CultureInfo.InvariantCulture))));
        foreach (float value in forecast.Values.Concat(forecast.QuantileValues))
            Console.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }

    [Fact]
    public void A_quantile_model_is_refused_by_the_ONNX_export_with_a_logged_reason_and_by_the_PyTorch_export()
    {
        var log = new System.Collections.Generic.List<string>();
        // The model logs through the context that trained it.
        MLContext ml = _f.Context;
        void Record(object? sender, LoggingEventArgs e) { lock (log) log.Add(e.Message); }
        ml.Log += Record;
        using var stream = new MemoryStream();
        try
        {
            Assert.ThrowsAny<InvalidOperationException>(() => ml.Model.ConvertToOnnx(_f.Segment, _f.Split.Test, stream));
        }
        finally
        {
            ml.Log -= Record;
        }

        string reason;
        lock (log)
            reason = log.FirstOrDefault(m => m.Contains("cannot save as ONNX", StringComparison.Ordinal)) ?? "";
        Assert.Contains("forecasts quantiles", reason);
        var error = Assert.Throws<NotSupportedException>(() => ml.Model.ExportSeq2SeqToPyTorch(_f.Segment, new MemoryStream()));
        Assert.Contains("Quantiles", error.Message);
    }
}
