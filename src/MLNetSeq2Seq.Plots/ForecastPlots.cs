using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace MLNetSeq2Seq.Plots;

/// <summary>The plot of a forecast past the end of the data: <c>engine.Predict().SavePlot("future.png", "OT", times, values)</c>.</summary>
public static class ForecastPlots
{
    /// <summary>
    /// Writes one column of <paramref name="forecast"/> after its observed history, as PNG or SVG (by the extension of
    /// <paramref name="path"/>): the history as a line, the forecast joined to the last observation, and, when the
    /// forecast has both levels (<see cref="Seq2SeqForecast.QuantileLevels"/>), the interval between them as a filled band
    /// that starts at the last observation. The x axis is time when the forecast has <see cref="Seq2SeqForecast.Timestamps"/>
    /// (history times are then required), else steps relative to the last observation (0 = the last observed row).
    /// Values are in the forecast's units (the series' own for a forecast engine).
    /// </summary>
    /// <param name="forecast">From <c>Seq2SeqForecastEngine.Predict()</c>.</param>
    /// <param name="path">A .png or .svg file; its folder is created.</param>
    /// <param name="column">The column to draw, one of <see cref="Seq2SeqForecast.ColumnNames"/>.</param>
    /// <param name="historyValues">The last observed values of <paramref name="column"/>, oldest first (at least one).</param>
    /// <param name="historyTimes">Their timestamps (as many as values), or null when the forecast has no timestamps.</param>
    /// <param name="lowerLevel">The band's lower quantile level. Default 0.1.</param>
    /// <param name="upperLevel">The band's upper quantile level. Default 0.9.</param>
    /// <param name="width">Pixels, at least 100. Default 1200.</param>
    /// <param name="height">Pixels, at least 100. Default 500.</param>
    /// <param name="title">The title; default "{column}: the next {Horizon} steps".</param>
    public static void SavePlot(this Seq2SeqForecast forecast, string path, string column, IReadOnlyList<float> historyValues,
        IReadOnlyList<DateTime>? historyTimes = null, double lowerLevel = 0.1, double upperLevel = 0.9, int width = 1200, int height = 500, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        ArgumentNullException.ThrowIfNull(historyValues);
        PlotFile.RequireSize(width, height);
        if (!forecast.ColumnNames.Contains(column))
            throw new ArgumentException($"The forecast has no column '{column}'; its columns are {string.Join(", ", forecast.ColumnNames)}.", nameof(column));
        if (historyValues.Count == 0)
            throw new ArgumentException("At least one observed value is needed: the forecast is drawn after the last one.", nameof(historyValues));
        bool timed = forecast.Timestamps is not null;
        if (timed && (historyTimes is null || historyTimes.Count != historyValues.Count))
            throw new ArgumentException($"The forecast has timestamps, so historyTimes needs one per history value ({historyValues.Count}); it has "
                + $"{historyTimes?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.", nameof(historyTimes));

        int h = forecast.Horizon, n = historyValues.Count;
        double[] historyX = timed ? historyTimes!.Select(t => t.ToOADate()).ToArray() : Enumerable.Range(1 - n, n).Select(i => (double)i).ToArray();
        double[] forecastX = timed ? forecast.Timestamps!.Select(t => t.ToOADate()).ToArray() : Enumerable.Range(1, h).Select(i => (double)i).ToArray();
        double lastX = historyX[^1], lastY = historyValues[^1];
        double[] joinedX = new[] { lastX }.Concat(forecastX).ToArray();
        float[] values = forecast.Column(column);

        var plot = new Plot();
        bool banded = forecast.QuantileLevels.Any(l => Math.Abs(l - lowerLevel) < 1e-9) && forecast.QuantileLevels.Any(l => Math.Abs(l - upperLevel) < 1e-9);
        if (banded)
        {
            var (lower, upper) = forecast.Bounds(column, lowerLevel, upperLevel);
            // The band opens at the last observation (zero width there) and has no outline: its edges are not data.
            var band = plot.Add.FillY(joinedX, new[] { lastY }.Concat(lower.Select(v => (double)v)).ToArray(), new[] { lastY }.Concat(upper.Select(v => (double)v)).ToArray());
            band.FillColor = Colors.DarkOrange.WithAlpha(0.25);
            band.LineWidth = 0;
            band.LegendText = $"{(upperLevel - lowerLevel) * 100:0.#} % interval (quantiles {lowerLevel:0.###} to {upperLevel:0.###})";
        }
        var observed = plot.Add.Scatter(historyX, historyValues.Select(v => (double)v).ToArray());
        observed.LegendText = $"{column}, observed (last {n} rows)";
        observed.MarkerSize = 0;
        observed.LineWidth = 1.5f;
        observed.Color = Colors.SteelBlue;
        var predicted = plot.Add.Scatter(joinedX, new[] { lastY }.Concat(values.Select(v => (double)v)).ToArray());
        predicted.LegendText = $"{column}, forecast ({h} steps)";
        predicted.MarkerSize = 0;
        predicted.LineWidth = 2;
        predicted.Color = Colors.DarkOrange;
        var last = plot.Add.Marker(lastX, lastY);
        last.Color = Colors.SteelBlue;
        last.Size = 7;
        last.LegendText = "last observation";
        var now = plot.Add.VerticalLine(lastX);
        now.Color = Colors.Gray.WithAlpha(0.6);
        now.LinePattern = LinePattern.Dotted;

        if (timed)
            plot.Axes.DateTimeTicksBottom();
        else
            plot.XLabel("steps after the last observation");
        plot.YLabel(column);
        plot.Title(title ?? $"{column}: the next {h} steps");
        plot.ShowLegend(Alignment.UpperLeft);
        PlotFile.Save(plot, path, width, height);
    }
}
