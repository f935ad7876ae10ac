using System;
using System.Collections.Generic;
using System.Linq;

namespace BatchSizeStory;

/// <summary>Part 3's plots (ScottPlot): the steps / samples trade-off and the validation curves against optimizer steps.</summary>
public static partial class Plots
{
    /// <summary>Optimizer steps against samples to the target, one point per batch; the fitted S(B) = S_min (1 + B_noise / B)
    /// as a curve (samples E = S·B); <paramref name="predictedKnee"/> (B_simple) marked on it.</summary>
    public static void TradeOff(IReadOnlyList<TradeOffRun> runs, double target, (double MinSteps, double NoiseBatch)? knee, double predictedKnee, string path)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        if (knee is { } fit)
        {
            double[] batches = Enumerable.Range(0, 200).Select(i => Math.Pow(2, 1 + i * 10.0 / 199)).ToArray(); // 2 … 2048
            var curve = plot.Add.Scatter(batches.Select(b => fit.MinSteps * (b + fit.NoiseBatch)).ToArray(), batches.Select(b => fit.MinSteps * (1 + fit.NoiseBatch / b)).ToArray());
            curve.MarkerSize = 0;
            curve.Color = ScottPlot.Colors.Gray;
            curve.LegendText = $"fit S = S_min (1 + B_noise / B): S_min {fit.MinSteps:F0}, knee B_noise {fit.NoiseBatch:F0}";
            var kneePoint = plot.Add.Marker(fit.MinSteps * 2 * fit.NoiseBatch, 2 * fit.MinSteps, ScottPlot.MarkerShape.OpenDiamond, 14, ScottPlot.Colors.Gray);
            kneePoint.LegendText = "fitted knee (B = B_noise: 2 S_min, 2 E_min)";
            if (double.IsFinite(predictedKnee) && predictedKnee > 0)
            {
                double noise = predictedKnee;
                var predicted = plot.Add.Marker(fit.MinSteps * (noise + fit.NoiseBatch), fit.MinSteps * (1 + fit.NoiseBatch / noise), ScottPlot.MarkerShape.OpenCircle, 16, ScottPlot.Colors.Red);
                predicted.LegendText = $"B_simple = {noise:F0} on the fitted curve";
            }
        }
        int colour = 0;
        foreach (TradeOffRun run in runs)
        {
            ScottPlot.Color color = palette.GetColor(colour++);
            if (run.StepsTo(target) is not double steps)
                continue;
            var point = plot.Add.Marker(steps * run.Batch, steps, ScottPlot.MarkerShape.FilledCircle, 10, color);
            point.LegendText = $"batch {run.Batch}: {steps:F0} steps, {steps * run.Batch:F0} samples";
        }
        plot.Title($"Steps vs samples to validation MSE {target:F3} (ETTh2)");
        plot.XLabel("samples processed (E)");
        plot.YLabel("optimizer steps (S)");
        plot.ShowLegend();
        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        plot.Axes.SetLimitsX(0, runs.Select(r => (r.StepsTo(target) ?? 0) * r.Batch).Max() * 1.3);
        plot.Axes.SetLimitsY(0, runs.Select(r => r.StepsTo(target) ?? 0).Max() * 1.3);
        plot.SavePng(path, 800, 500);
    }

    /// <summary>Validation MSE at each epoch end against the optimizer steps taken, one line per batch, and the target.</summary>
    public static void ValidationAgainstSteps(IReadOnlyList<TradeOffRun> runs, double target, string path)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int colour = 0;
        foreach (TradeOffRun run in runs)
        {
            double[] steps = Enumerable.Range(1, run.Validation.Length).Select(e => (double)e * run.StepsPerEpoch).ToArray();
            var line = plot.Add.Scatter(steps, run.Validation);
            line.Color = palette.GetColor(colour++);
            line.LegendText = $"batch {run.Batch} (lr {run.LearningRate:G3})";
        }
        var goal = plot.Add.HorizontalLine(target);
        goal.LinePattern = ScottPlot.LinePattern.Dashed;
        goal.Color = ScottPlot.Colors.Gray;
        plot.Title("Validation MSE against optimizer steps (ETTh2); dashed: the target");
        plot.XLabel("optimizer steps");
        plot.YLabel("validation MSE (z-scored)");
        plot.ShowLegend();
        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        plot.SavePng(path, 800, 500);
    }
}
