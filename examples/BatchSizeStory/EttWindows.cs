using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace BatchSizeStory;

/// <summary>
/// ETTh2 (or a generated stand-in) as z-scored windows: the standard split (train rows [0, 8640), validation
/// targets [8640, 11520)), train-only statistics. The CSV is read at run time from ../shared/data and never copied.
/// </summary>
public static class EttWindows
{
    public const int TrainEnd = 8640, ValidationEnd = 11520, Columns = 7;

    public static float[][] LoadStandardized(string? csvPath)
    {
        float[][] rows = csvPath is not null && File.Exists(csvPath) ? ReadCsv(csvPath) : Generate(ValidationEnd);
        for (int c = 0; c < Columns; c++)
        {
            double mean = rows.Take(TrainEnd).Average(r => r[c]);
            double std = Math.Sqrt(rows.Take(TrainEnd).Average(r => (r[c] - mean) * (r[c] - mean)));
            foreach (float[] row in rows)
                row[c] = (float)((row[c] - mean) / std);
        }
        return rows;
    }

    /// <summary>Windows whose targets start in [firstTarget, endTarget): inputs may look back before firstTarget.</summary>
    public static List<Window> Slide(float[][] series, int inputLength, int horizon, int firstTarget, int endTarget, int stride)
    {
        var windows = new List<Window>();
        for (int target = Math.Max(firstTarget, inputLength); target + horizon <= endTarget; target += stride)
            windows.Add(new Window
            {
                Features = series.Skip(target - inputLength).Take(inputLength).SelectMany(r => r).ToArray(),
                Label = series.Skip(target).Take(horizon).SelectMany(r => r).ToArray(),
            });
        return windows;
    }

    private static float[][] ReadCsv(string path) =>
        File.ReadLines(path).Skip(1).Take(ValidationEnd)
            .Select(line => line.Split(',').Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();

    private static float[][] Generate(int rows)
    {
        var random = new Random(5);
        return Enumerable.Range(0, rows).Select(t => Enumerable.Range(0, Columns).Select(c =>
            (float)(Math.Sin(2 * Math.PI * t / 24 + c) + 0.5 * Math.Sin(2 * Math.PI * t / 168 + 2 * c) + 0.2 * random.NextDouble())).ToArray()).ToArray();
    }
}

/// <summary>One window: Features = L × 7, Label = H × 7, time-major.</summary>
public sealed class Window
{
    public float[] Features { get; set; } = Array.Empty<float>();
    public float[] Label { get; set; } = Array.Empty<float>();
}
