using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Plots;
using Xunit;

namespace MLNetSeq2Seq.Tests.Plots;

/// <summary>The companion package's plots (MLNetSeq2Seq.Plots) write real PNG and SVG files carrying the titles and
/// labels of the run they draw.</summary>
public sealed class PlotHelperTests : IClassFixture<PlottedForecaster>, IDisposable
{
    private static readonly byte[] s_pngSignature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
    private readonly PlottedForecaster _f;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mlnetseq2seq-plots-" + Guid.NewGuid().ToString("N"));

    public PlotHelperTests(PlottedForecaster forecaster) => _f = forecaster;

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Writes the plot as PNG and SVG; checks the PNG is a non-empty PNG and returns the SVG's text, entities decoded.</summary>
    private string WriteBoth(string name, Action<string> save)
    {
        string png = Path.Combine(_folder, name + ".png"), svg = Path.Combine(_folder, "svg", name + ".svg");
        save(png);
        save(svg);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 10_000, $"{png} holds only {bytes.Length} bytes");
        Assert.Equal(s_pngSignature, bytes.Take(8));
        string text = File.ReadAllText(svg);
        Assert.StartsWith("<?xml", text.TrimStart());
        Assert.Contains("<svg", text);
        return WebUtility.HtmlDecode(text);
    }

    [Fact]
    public void The_loss_plot_names_the_training_loss_the_validation_metric_the_learning_rate_and_the_kept_epoch()
    {
        TrainingHistory history = _f.Model.TrainingHistory;
        Assert.NotNull(history.TrainingLossName);
        Assert.NotNull(history.ValidationMetricName);

        string svg = WriteBoth("losses", path => history.SavePlot(path, title: "Training on the generated series"));

        Assert.Contains("Training on the generated series", svg);
        Assert.Contains($"training loss: {history.TrainingLossName}", svg);
        Assert.Contains($"validation {history.ValidationMetricName}", svg);
        Assert.Contains("learning rate", svg);
        Assert.Contains($"kept: epoch {history.BestEpoch}", svg);
        Assert.Contains("epoch", svg);
    }

    [Fact]
    public void The_window_plot_draws_inputs_forecast_actual_and_band_per_window_on_the_time_axis()
    {
        var scored = _f.Model.Transform(_f.Split.Test);
        string[] starts = scored.GetColumn<string>("ForecastStart").ToArray();

        string svg = WriteBoth("forecasts", path => ForecastWindowPlots.Save(scored, path, PlottedForecaster.Columns, "B", statistics: _f.Split.Statistics,
            quantileLevels: PlottedForecaster.Levels, forecastStartColumnName: "ForecastStart", step: TimeSpan.FromHours(1)));

        // Four panels spread from the first window to the last, each titled with its forecast start.
        int last = starts.Length - 1;
        foreach (int row in new[] { 0, last })
            Assert.Contains($"window {row}: forecast from {DateTime.Parse(starts[row], CultureInfo.InvariantCulture):yyyy-MM-dd HH:mm}", svg);
        Assert.Contains("input (30 steps)", svg);
        Assert.Contains("forecast (10 steps)", svg);
        Assert.Contains("actual", svg);
        Assert.Contains("80 % interval", svg);
    }

    [Fact]
    public void The_future_plot_joins_history_and_forecast_with_its_band()
    {
        Seq2SeqForecast forecast = _f.Model.CreateForecastEngine(_f.Context, _f.Series, "Time").Predict();
        float[] history = _f.Rows[^48..].Select(r => r.A).ToArray();
        DateTime[] times = _f.Rows[^48..].Select(r => DateTime.Parse(r.Time, CultureInfo.InvariantCulture)).ToArray();

        string svg = WriteBoth("future", path => forecast.SavePlot(path, "A", history, times));

        Assert.Contains($"A: the next {forecast.Horizon} steps", svg);
        Assert.Contains("A, observed (last 48 rows)", svg);
        Assert.Contains($"A, forecast ({forecast.Horizon} steps)", svg);
        Assert.Contains("80 % interval (quantiles 0.1 to 0.9)", svg);
        Assert.Contains("last observation", svg);
    }

    [Fact]
    public void A_path_that_is_neither_png_nor_svg_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => _f.Model.TrainingHistory.SavePlot(Path.Combine(_folder, "losses.jpg")));
        Assert.Contains(".png or .svg", error.Message);
    }
}
