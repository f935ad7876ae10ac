using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace Forecasting;

/// <summary>A stand-in for ETT data so the example runs anywhere: hourly, daily and weekly cycles, trend, noise.</summary>
public static class GeneratedSeries
{
    public static string Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("date,HUFL,HULL,MUFL,MULL,LUFL,LULL,OT\n");
        var start = new DateTime(2016, 7, 1);
        double drift = 0;
        for (int t = 0; t < rows; t++)
        {
            double daily = Math.Sin(2 * Math.PI * t / 24), weekly = Math.Sin(2 * Math.PI * t / 168), yearly = Math.Sin(2 * Math.PI * t / 8760);
            drift += 0.02 * (random.NextDouble() - 0.5);
            double[] values =
            {
                40 + 8 * daily + 3 * weekly + drift + Noise(random, 1.5),
                12 + 2 * Math.Cos(2 * Math.PI * t / 24) + Noise(random, 0.8),
                45 + 10 * daily + 4 * weekly + 1.2 * drift + Noise(random, 2),
                10 + 1.5 * Math.Cos(2 * Math.PI * t / 12) + Noise(random, 0.5),
                1 + 3 * daily * weekly + Noise(random, 0.8),
                -2 + 4 * Math.Sin(2 * Math.PI * t / 24 + 1) + Noise(random, 1),
                27 + 9 * yearly + 3 * daily + 0.5 * drift + Noise(random, 1),
            };
            text.Append(start.AddHours(t).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            foreach (double value in values)
                text.Append(',').Append(value.ToString("R", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static double Noise(Random random, double scale) => scale * (random.NextDouble() + random.NextDouble() - 1);
}
