using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.GpuCheck;

/// <summary>Generated data for the checks: random windows (W1, out-of-memory) and a seasonal series cut into windows.</summary>
internal static class SyntheticWindows
{
    public sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();
        public float[] Label { get; set; } = Array.Empty<float>();
    }

    public sealed class SeriesRow
    {
        public float A { get; set; }
        public float B { get; set; }
        public float C { get; set; }
    }

    /// <summary>Standard-normal windows; the shapes go into the schema as [steps, features] dimensions.</summary>
    public static IEnumerable<Row> Random(int rows, int length, int features, int horizon, int outputs, int seed)
    {
        var random = new Random(seed);
        for (int n = 0; n < rows; n++)
            yield return new Row { Features = Normal(random, length * features), Label = Normal(random, horizon * outputs) };
    }

    public static IDataView ToDataView(MLContext ml, IEnumerable<Row> rows, int length, int features, int horizon, int outputs)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length, features);
        schema[nameof(Row.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, horizon, outputs);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>Three columns with daily and weekly cycles and noise, windows of L = 96, H = 24, split 70/15/15 by time.</summary>
    public static SequenceWindowSplit SeasonalSplit(MLContext ml, int rows)
    {
        var random = new Random(3);
        var series = Enumerable.Range(0, rows).Select(t => new SeriesRow
        {
            A = (float)(Math.Sin(2 * Math.PI * t / 24) + 0.5 * Math.Sin(2 * Math.PI * t / 168) + 0.1 * random.NextDouble()),
            B = (float)(Math.Cos(2 * Math.PI * t / 24) + 0.001 * t + 0.1 * random.NextDouble()),
            C = (float)(0.5 * Math.Sin(2 * Math.PI * t / 12) + 0.2 * random.NextDouble()),
        }).ToList();
        return ml.Data.SplitSequenceWindowsChronologically(ml.Data.LoadFromEnumerable(series),
            new SequenceWindowOptions { InputColumnNames = new[] { "A", "B", "C" }, InputLength = 96, Horizon = 24 },
            new ChronologicalSplit((long)(rows * 0.7), (long)(rows * 0.85), rows));
    }

    /// <summary>
    /// Floating-point operations of one W1 training sample (forward + backward ≈ 3 × forward, forward = 2 × multiply-adds):
    /// the GRU gate matrices of 2 encoder layers over L steps and 2 decoder layers over 24 steps, plus the head.
    /// </summary>
    public static double W1TrainingFlopsPerSample(int inputLength)
    {
        const double Hidden = 128, Features = 7, Horizon = 24;
        double gru(double input) => 3 * Hidden * (input + Hidden);
        double encoder = inputLength * (gru(Features) + gru(Hidden));
        double decoder = Horizon * (gru(Features) + gru(Hidden) + Hidden * Features);
        return 3 * 2 * (encoder + decoder);
    }

    private static float[] Normal(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return values;
    }
}
