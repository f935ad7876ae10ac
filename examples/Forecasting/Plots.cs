using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;

namespace Forecasting;

/// <summary>The example's PNG plots (ScottPlot).</summary>
public static class Plots
{
    /// <summary>Train and validation MSE per epoch, with the kept epoch marked.</summary>
    public static void Losses(TrainingHistory history, string path)
    {
        var plot = new ScottPlot.Plot();
        double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        var train = plot.Add.Scatter(epochs, history.Epochs.Select(e => e.TrainLoss).ToArray());
        train.LegendText = "train loss";
        var validation = plot.Add.Scatter(epochs, history.Epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray());
        validation.LegendText = "validation MSE (eval mode, as at inference)";
        var kept = plot.Add.VerticalLine(history.BestEpoch);
        kept.LegendText = $"kept: epoch {history.BestEpoch}";
        kept.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Title("Loss per epoch");
        plot.XLabel("epoch");
        plot.YLabel("MSE (z-scored)");
        plot.ShowLegend();
        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        plot.SavePng(path, 900, 500);
    }

    /// <summary>Forecast against actual for a few test windows, one target column, in the data's own units.</summary>
    public static void Forecasts(IDataView scored, SeriesStatistics statistics, string[] columns, string target, string path)
    {
        float[][] labels = scored.GetColumn<float[]>("Label").ToArray();
        float[][] scores = scored.GetColumn<float[]>("Score").ToArray();
        int column = Array.IndexOf(columns, target);
        int horizon = labels[0].Length / columns.Length;
        // Four windows side by side on one time axis (gaps between them), actual solid, forecast dashed.
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int[] picks = { 0, labels.Length / 3, 2 * labels.Length / 3, labels.Length - 1 };
        for (int i = 0; i < picks.Length; i++)
        {
            int offset = i * (horizon + 6);
            double[] x = Enumerable.Range(1, horizon).Select(h => (double)(offset + h)).ToArray();
            double Value(float[] row, int h) => statistics.Unstandardize(target, row[h * columns.Length + column]);
            var actual = plot.Add.Scatter(x, Enumerable.Range(0, horizon).Select(h => Value(labels[picks[i]], h)).ToArray());
            actual.Color = palette.GetColor(i);
            actual.LegendText = $"window {picks[i]}: actual";
            var forecast = plot.Add.Scatter(x, Enumerable.Range(0, horizon).Select(h => Value(scores[picks[i]], h)).ToArray());
            forecast.Color = palette.GetColor(i);
            forecast.LinePattern = ScottPlot.LinePattern.Dashed;
            forecast.LegendText = $"window {picks[i]}: forecast";
        }
        plot.Title($"{target}: forecast (dashed) vs actual (solid), {horizon} hours ahead, four test windows");
        plot.XLabel("hours ahead (windows side by side)");
        plot.YLabel(target);
        plot.ShowLegend();
        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        plot.SavePng(path, 1200, 600);
    }

    /// <summary>The last observed week, the forecast after it and its 80 % band, on a time axis, in the series' units.</summary>
    public static void Future(DateTime[] historyTimes, float[] history, DateTime[] forecastTimes, float[] forecast, float[] lower, float[] upper, string target, string path)
    {
        var plot = new ScottPlot.Plot();
        var band = plot.Add.FillY(forecastTimes.Select(t => t.ToOADate()).ToArray(), lower.Select(v => (double)v).ToArray(), upper.Select(v => (double)v).ToArray());
        band.LegendText = "80 % interval (quantiles 0.1 to 0.9, calibrated on validation)";
        band.FillColor = ScottPlot.Colors.Orange.WithAlpha(0.3);
        var observed = plot.Add.Scatter(historyTimes.Select(t => t.ToOADate()).ToArray(), history.Select(v => (double)v).ToArray());
        observed.LegendText = $"{target}, observed (last {history.Length} rows)";
        observed.MarkerSize = 0;
        observed.Color = ScottPlot.Colors.SteelBlue;
        // Join the forecast to the last observation so the line continues.
        double[] x = new[] { historyTimes[^1].ToOADate() }.Concat(forecastTimes.Select(t => t.ToOADate())).ToArray();
        double[] y = new[] { (double)history[^1] }.Concat(forecast.Select(v => (double)v)).ToArray();
        var predicted = plot.Add.Scatter(x, y);
        predicted.LegendText = $"{target}, forecast ({forecast.Length} steps after the last row)";
        predicted.LinePattern = ScottPlot.LinePattern.Dashed;
        predicted.Color = ScottPlot.Colors.DarkOrange;
        predicted.MarkerSize = 0;
        plot.Axes.DateTimeTicksBottom();
        plot.Title($"{target}: the {forecast.Length} hours after the data");
        plot.YLabel(target);
        plot.ShowLegend();
        plot.Legend.Alignment = ScottPlot.Alignment.UpperLeft;
        plot.SavePng(path, 1200, 500);
    }
}
