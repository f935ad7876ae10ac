using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using ScottPlot;

namespace MLNetSeq2Seq.Plots;

/// <summary>Small multiples of scored windows: what the model saw, what it forecast, what happened
/// (<c>ForecastWindowPlots.Save(model.Transform(split.Test), "forecasts.png", ...)</c>).</summary>
public static class ForecastWindowPlots
{
    /// <summary>
    /// Writes <paramref name="windowCount"/> windows of <paramref name="scored"/> (spread evenly from the first to the last)
    /// as a grid of panels, PNG or SVG (by the extension of <paramref name="path"/>). Each panel draws one column: the
    /// window's L inputs, its H-step forecast joined to the last input, the actual values, and the band between the
    /// outermost quantile levels when <paramref name="quantileLevels"/> is given and the view has the quantile column
    /// (Score column name + "Quantiles"). Values are z-scores unless <paramref name="statistics"/> converts them back to the
    /// series' units; the x axis is time when <paramref name="forecastStartColumnName"/> names the column holding each
    /// window's first target time (text or DateTime) and <paramref name="step"/> the series' step, else steps relative to
    /// the forecast start.
    /// </summary>
    /// <param name="scored">Windows scored by a Seq2Seq model: features (L × input columns, time-major), label and score (H × output columns).</param>
    /// <param name="path">A .png or .svg file; its folder is created.</param>
    /// <param name="columns">The output columns in the label's order (the window options' InputColumnNames for a window view).</param>
    /// <param name="target">The column to draw.</param>
    /// <param name="inputColumns">The input columns in the features' order; default <paramref name="columns"/>.</param>
    /// <param name="statistics">The windows' z-score statistics (<c>SequenceWindowSplit.Statistics</c>); null draws the values as they are.</param>
    /// <param name="quantileLevels">The model's quantile levels (<c>Seq2SeqOptions.Quantiles</c>), ascending; null for no band.</param>
    /// <param name="forecastStartColumnName">The column with each window's first target time (<c>SequenceWindowOptions.ForecastStartTimestampColumnName</c>); null for step numbers.</param>
    /// <param name="step">The series' step, needed with <paramref name="forecastStartColumnName"/> (one hour for ETT hourly data).</param>
    /// <param name="windowCount">Panels, 1 to 9; 4 gives a 2 × 2 grid. Default 4.</param>
    /// <param name="width">Pixels, at least 100. Default 1400.</param>
    /// <param name="height">Pixels, at least 100. Default 800.</param>
    /// <param name="featureColumnName">Default "Features".</param>
    /// <param name="labelColumnName">Default "Label".</param>
    /// <param name="scoreColumnName">Default "Score".</param>
    public static void Save(IDataView scored, string path, IReadOnlyList<string> columns, string target, IReadOnlyList<string>? inputColumns = null,
        SeriesStatistics? statistics = null, IReadOnlyList<double>? quantileLevels = null, string? forecastStartColumnName = null, TimeSpan? step = null,
        int windowCount = 4, int width = 1400, int height = 800, string featureColumnName = "Features", string labelColumnName = "Label", string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(scored);
        ArgumentNullException.ThrowIfNull(columns);
        PlotFile.RequireSize(width, height);
        inputColumns ??= columns;
        int output = IndexOf(columns, target, nameof(columns)), input = IndexOf(inputColumns, target, nameof(inputColumns));
        if (windowCount is < 1 or > 9)
            throw new ArgumentOutOfRangeException(nameof(windowCount), windowCount, "windowCount is the number of panels: 1 to 9.");
        if (forecastStartColumnName is not null && (step is null || step.Value <= TimeSpan.Zero))
            throw new ArgumentException("With forecastStartColumnName, step must be the series' (positive) time step, for example TimeSpan.FromHours(1).", nameof(step));

        float[][] features = scored.GetColumn<float[]>(featureColumnName).ToArray();
        float[][] labels = scored.GetColumn<float[]>(labelColumnName).ToArray();
        float[][] scores = scored.GetColumn<float[]>(scoreColumnName).ToArray();
        if (features.Length == 0)
            throw new ArgumentException("The scored view has no rows.", nameof(scored));
        string quantileColumn = scoreColumnName + "Quantiles";
        float[][]? quantiles = quantileLevels is { Count: >= 2 } && scored.Schema.GetColumnOrNull(quantileColumn) is not null
            ? scored.GetColumn<float[]>(quantileColumn).ToArray() : null;
        DateTime[]? starts = forecastStartColumnName is null ? null : StartTimes(scored, forecastStartColumnName);

        int o = columns.Count, c = inputColumns.Count, horizon = scores[0].Length / o, inputLength = features[0].Length / c;
        double Units(double z) => statistics is null ? z : statistics.Unstandardize(target, z);
        int[] picks = Enumerable.Range(0, windowCount).Select(i => windowCount == 1 ? 0 : (int)Math.Round(i * (features.Length - 1) / (double)(windowCount - 1))).Distinct().ToArray();

        var (multiplot, panels) = PlotFile.Panels(picks.Length);
        int gridColumns = picks.Length <= 3 ? picks.Length : picks.Length == 4 ? 2 : 3;
        int gridRows = (picks.Length + gridColumns - 1) / gridColumns;
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(gridRows, gridColumns);
        string units = statistics is null ? "(z-scored)" : "";
        for (int p = 0; p < picks.Length; p++)
        {
            int row = picks[p];
            Plot panel = panels[p];
            double X(int offset) => starts is null ? offset : (starts[row] + step!.Value * (offset - 1)).ToOADate(); // offset 1 = first target
            double[] inputX = Enumerable.Range(1 - inputLength, inputLength).Select(X).ToArray();
            double[] inputY = Enumerable.Range(0, inputLength).Select(t => Units(features[row][t * c + input])).ToArray();
            double[] targetX = Enumerable.Range(1, horizon).Select(X).ToArray();
            double[] joinedX = new[] { inputX[^1] }.Concat(targetX).ToArray();
            double Value(float[] values, int h) => Units(values[h * o + output]);

            if (quantiles is not null)
            {
                int q = quantileLevels!.Count;
                double[] lower = new[] { inputY[^1] }.Concat(Enumerable.Range(0, horizon).Select(h => Units(quantiles[row][(h * q) * o + output]))).ToArray();
                double[] upper = new[] { inputY[^1] }.Concat(Enumerable.Range(0, horizon).Select(h => Units(quantiles[row][(h * q + q - 1) * o + output]))).ToArray();
                var band = panel.Add.FillY(joinedX, lower, upper);
                band.FillColor = Colors.DarkOrange.WithAlpha(0.22);
                band.LineWidth = 0;
                band.LegendText = $"{(quantileLevels[^1] - quantileLevels[0]) * 100:0.#} % interval";
            }
            var seen = panel.Add.Scatter(inputX, inputY);
            seen.LegendText = $"input ({inputLength} steps)";
            seen.Color = Colors.SteelBlue;
            seen.MarkerSize = 0;
            var actual = panel.Add.Scatter(targetX, Enumerable.Range(0, horizon).Select(h => Value(labels[row], h)).ToArray());
            actual.LegendText = "actual";
            actual.Color = Colors.Black;
            actual.MarkerSize = 0;
            var forecast = panel.Add.Scatter(joinedX, new[] { inputY[^1] }.Concat(Enumerable.Range(0, horizon).Select(h => Value(scores[row], h))).ToArray());
            forecast.LegendText = $"forecast ({horizon} steps)";
            forecast.Color = Colors.DarkOrange;
            forecast.LineWidth = 2;
            forecast.MarkerSize = 0;
            var start = panel.Add.VerticalLine(inputX[^1]);
            start.Color = Colors.Gray.WithAlpha(0.6);
            start.LinePattern = LinePattern.Dotted;

            if (starts is not null)
                panel.Axes.DateTimeTicksBottom();
            else
                panel.XLabel("steps from the forecast start");
            panel.YLabel($"{target} {units}".Trim());
            panel.Title(starts is null ? $"window {row}" : $"window {row}: forecast from {starts[row]:yyyy-MM-dd HH:mm}");
            panel.ShowLegend(Alignment.UpperLeft);
        }
        PlotFile.Save(multiplot, path, width, height);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name, string parameter)
    {
        for (int i = 0; i < names.Count; i++)
            if (names[i] == name)
                return i;
        throw new ArgumentException($"'{name}' is not among {parameter} ({string.Join(", ", names)}).", parameter);
    }

    private static DateTime[] StartTimes(IDataView scored, string column)
    {
        DataViewSchema.Column? found = scored.Schema.GetColumnOrNull(column);
        if (found is null)
            throw new ArgumentException($"The scored view has no column '{column}' (forecastStartColumnName).", nameof(column));
        if (found.Value.Type is DateTimeDataViewType)
            return scored.GetColumn<DateTime>(column).ToArray();
        if (found.Value.Type is TextDataViewType)
            return scored.GetColumn<string>(column).Select(text => DateTime.Parse(text, CultureInfo.InvariantCulture)).ToArray();
        throw new ArgumentException($"Column '{column}' holds {found.Value.Type}; a forecast start time is text or DateTime.", nameof(column));
    }
}
