using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLNetSeq2Seq.Tests.Onnx;

/// <summary>Tiny models, z-scored random windows, ML.NET's converter and ONNX Runtime (CPU) for the ONNX export tests.</summary>
internal static class OnnxExportKit
{
    public const int InputLength = 10;
    public const int FeatureCount = 3;
    public const int Horizon = 5;
    public const int OutputCount = 2;
    /// <summary>Outputs forecast inputs 2 and 0 (instance normalisation and channel independence need the mapping).</summary>
    public static readonly int[] Targets = { 2, 0 };

    public sealed class Row
    {
        [VectorType(InputLength, FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        [VectorType(Horizon, OutputCount)]
        public float[] Label { get; set; } = Array.Empty<float>();
    }

    /// <summary>Rows with features only: what a deployed model is given, and the schema the export is made from.</summary>
    public sealed class FeaturesRow
    {
        [VectorType(InputLength, FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>Standard-normal features and labels (z-scored data), drawn from <paramref name="seed"/>;
    /// <paramref name="offset"/> and <paramref name="scale"/> move them away from zero mean, unit variance.</summary>
    public static Row[] Rows(int count, int seed, float offset = 0, float scale = 1)
    {
        var random = new Random(seed);
        float Gaussian() => offset + scale * (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return Enumerable.Range(0, count).Select(_ => new Row
        {
            Features = Enumerable.Range(0, InputLength * FeatureCount).Select(_ => Gaussian()).ToArray(),
            Label = Enumerable.Range(0, Horizon * OutputCount).Select(_ => Gaussian()).ToArray(),
        }).ToArray();
    }

    public static IDataView FeaturesOnly(MLContext ml, IEnumerable<Row> rows) =>
        ml.Data.LoadFromEnumerable(rows.Select(r => new FeaturesRow { Features = r.Features }));

    /// <summary>Tiny options trained one epoch, so that the weights are not the initial ones.</summary>
    public static Seq2SeqOptions TinyOptions() => new()
    {
        HiddenSize = 8,
        BatchSize = 16,
        MaxEpochs = 1,
        LearningRate = 1e-2,
        Seed = 3,
        TargetInputIndices = Targets,
    };

    /// <summary>The Score column, row after row, as Transform computes it.</summary>
    public static float[] Scores(ITransformer model, IDataView data, string column = "Score")
    {
        IDataView scored = model.Transform(data);
        var values = new List<float>();
        using DataViewRowCursor cursor = scored.GetRowCursor(new[] { scored.Schema[column] });
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(scored.Schema[column]);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            values.AddRange(buffer.DenseValues());
        }
        return values.ToArray();
    }

    /// <summary>mlContext.Model.ConvertToOnnx to a file under the test's temporary folder; returns its path.</summary>
    public static string Export(MLContext ml, ITransformer model, IDataView schemaSource, string name)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlnetseq2seq-onnx-{Environment.ProcessId}-{name}.onnx");
        using (var stream = File.Create(path))
            ml.Model.ConvertToOnnx(model, schemaSource, stream);
        return path;
    }

    /// <summary>ONNX Runtime (CPU) on the exported graph: the features of <paramref name="rows"/> in, output
    /// <paramref name="output"/> out, flattened row after row. <paramref name="flat"/>: the graph takes (N, L·F), not (N, L, F).</summary>
    public static float[] RunOnnxRuntime(string path, IReadOnlyList<Row> rows, string output = "Score.output", bool flat = false)
    {
        using var session = new InferenceSession(path);
        var features = new DenseTensor<float>(rows.SelectMany(r => r.Features).ToArray(), flat ? new[] { rows.Count, InputLength * FeatureCount } : new[] { rows.Count, InputLength, FeatureCount });
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results =
            session.Run(new[] { NamedOnnxValue.CreateFromTensor("Features", features) }, new[] { output });
        return results.Single().AsEnumerable<float>().ToArray();
    }

    /// <summary>The graph's input and output names, as ONNX Runtime reads them.</summary>
    public static (string[] Inputs, string[] Outputs) GraphNames(string path)
    {
        using var session = new InferenceSession(path);
        return (session.InputMetadata.Keys.ToArray(), session.OutputMetadata.Keys.ToArray());
    }

    public static double MaxAbsoluteDifference(float[] expected, float[] actual)
    {
        if (expected.Length != actual.Length)
            throw new InvalidOperationException($"{expected.Length} expected values, {actual.Length} actual.");
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, float.IsFinite(actual[i]) ? Math.Abs(expected[i] - actual[i]) : double.PositiveInfinity);
        return worst;
    }
}
