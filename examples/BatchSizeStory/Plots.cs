using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace BatchSizeStory;

/// <summary>One validation curve printed by a child run: "curve &lt;loop&gt; &lt;L&gt; v1 v2 …".</summary>
public sealed record Curve(string Loop, int Length, double[] Values)
{
    public static Curve Parse(string line)
    {
        string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new Curve(parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture),
            parts.Skip(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
    }
}

/// <summary>PNG plots with ScottPlot.</summary>
public static partial class Plots
{
    public static void ValidationCurves(IReadOnlyList<Curve> curves, string path)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int colour = 0;
        foreach (var group in curves.GroupBy(c => c.Length))
        {
            ScottPlot.Color color = palette.GetColor(colour++);
            foreach (Curve curve in group)
            {
                double[] epochs = Enumerable.Range(1, curve.Values.Length).Select(e => (double)e).ToArray();
                var line = plot.Add.Scatter(epochs, curve.Values);
                line.Color = color;
                line.LinePattern = curve.Loop == "naive" ? ScottPlot.LinePattern.Dashed : ScottPlot.LinePattern.Solid;
                line.LegendText = $"L = {curve.Length}, {curve.Loop}";
            }
        }
        plot.Title("True validation MSE (eval mode, autoregressive): naive loop (dashed) vs component (solid)");
        plot.XLabel("epoch");
        plot.YLabel("validation MSE (z-scored)");
        plot.Axes.SetLimitsY(0, Math.Min(3, curves.Max(c => c.Values.Max()) * 1.05));
        plot.ShowLegend();
        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
        plot.SavePng(path, 1000, 600);
    }
}
