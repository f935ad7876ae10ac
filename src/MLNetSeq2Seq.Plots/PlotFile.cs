using System;
using System.IO;
using System.Linq;
using ScottPlot;
using SkiaSharp;

namespace MLNetSeq2Seq.Plots;

/// <summary>Writes a plot or a multiplot as PNG or SVG, chosen by the file's extension.</summary>
internal static class PlotFile
{
    public static void Save(Plot plot, string path, int width, int height)
    {
        switch (FormatOf(path))
        {
            case ".png": plot.SavePng(path, width, height); break;
            default: plot.SaveSvg(path, width, height); break;
        }
    }

    public static void Save(Multiplot multiplot, string path, int width, int height)
    {
        if (FormatOf(path) == ".png")
        {
            multiplot.SavePng(path, width, height);
            return;
        }
        // Multiplot has no SVG writer of its own: render it onto Skia's SVG canvas, which keeps text as text.
        using (FileStream stream = File.Create(path))
        {
            using SKCanvas canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream);
            multiplot.Render(canvas, new PixelRect(0, width, height, 0));
        }
    }

    /// <summary>A multiplot of exactly <paramref name="count"/> panels (a new Multiplot already holds one).</summary>
    public static (Multiplot Multiplot, Plot[] Panels) Panels(int count)
    {
        var multiplot = new Multiplot();
        while (multiplot.Count() < count)
            multiplot.AddPlot();
        return (multiplot, Enumerable.Range(0, count).Select(multiplot.GetPlot).ToArray());
    }

    private static string FormatOf(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".png" or ".svg"))
            throw new ArgumentException($"The plot's path '{path}' must end in .png or .svg (the two formats written).", nameof(path));
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        return extension;
    }

    public static void RequireSize(int width, int height)
    {
        if (width < 100 || height < 100)
            throw new ArgumentOutOfRangeException(width < 100 ? nameof(width) : nameof(height), width < 100 ? width : height,
                "A plot needs at least 100 × 100 pixels.");
    }
}
