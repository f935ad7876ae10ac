using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;

namespace Deploy;

/// <summary>
/// --latency: ONNX Runtime vs Transform on the same model and windows, side by side in one process (docs/benchmarks.md,
/// "ONNX Runtime vs Transform"). Per row: a PredictionEngine against an InferenceSession fed one window at a time.
/// Batched: Transform over a view of 256 windows (Score read to the end) against one session run on (256, L, F).
/// Each round times all four in an order that alternates between rounds; the table gives the medians and their ratios.
/// </summary>
internal static class LatencyComparison
{
    private const int RowsPerRound = 64, BatchSize = 256;

    private sealed class Prediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    public static void Run(MLContext ml, ITransformer model, string onnxPath, float[][] windows, int inputLength, int featureCount, int rounds)
    {
        SchemaDefinition inputSchema = SchemaDefinition.Create(typeof(FeatureWindows.Row));
        inputSchema[nameof(FeatureWindows.Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, inputLength, featureCount);
        using PredictionEngine<FeatureWindows.Row, Prediction> engine = ml.Model.CreatePredictionEngine<FeatureWindows.Row, Prediction>(model, inputSchemaDefinition: inputSchema);
        using var session = new InferenceSession(onnxPath);

        float[][] batch = Enumerable.Range(0, BatchSize).Select(i => windows[i % windows.Length]).ToArray();
        IDataView batchView = FeatureWindows.ToDataView(ml, batch, inputLength, featureCount);
        var batchTensor = new DenseTensor<float>(batch.SelectMany(w => w).ToArray(), new[] { BatchSize, inputLength, featureCount });
        var rowRequests = windows.Take(RowsPerRound).Select(w => new FeatureWindows.Row { Features = w }).ToArray();
        var rowTensors = windows.Take(RowsPerRound).Select(w => new DenseTensor<float>(w, new[] { 1, inputLength, featureCount })).ToArray();

        double TransformPerRow() => Milliseconds(() => { foreach (var row in rowRequests) engine.Predict(row); }) / RowsPerRound;
        double OnnxPerRow() => Milliseconds(() =>
        {
            foreach (DenseTensor<float> tensor in rowTensors)
            {
                using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Features", tensor) }, new[] { "Score.output" });
                _ = results[0].AsTensor<float>()[0, 0, 0];
            }
        }) / RowsPerRound;
        double TransformBatch() => Milliseconds(() => FeatureWindows.Scores(model, batchView, "Score"));
        double OnnxBatch() => Milliseconds(() =>
        {
            using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Features", batchTensor) }, new[] { "Score.output" });
            _ = results[0].AsEnumerable<float>().Sum();
        });

        // Warm-up (JIT, first native calls, allocator), untimed.
        TransformPerRow(); OnnxPerRow(); TransformBatch(); OnnxBatch();

        string loadBefore = LoadAverage();
        var samples = new Dictionary<string, List<double>> { ["tr"] = new(), ["or"] = new(), ["tb"] = new(), ["ob"] = new() };
        for (int round = 0; round < rounds; round++)
        {
            bool onnxFirst = round % 2 == 1;
            if (onnxFirst) { samples["or"].Add(OnnxPerRow()); samples["tr"].Add(TransformPerRow()); samples["ob"].Add(OnnxBatch()); samples["tb"].Add(TransformBatch()); }
            else { samples["tr"].Add(TransformPerRow()); samples["or"].Add(OnnxPerRow()); samples["tb"].Add(TransformBatch()); samples["ob"].Add(OnnxBatch()); }
        }
        string loadAfter = LoadAverage();

        double tr = Median(samples["tr"]), or = Median(samples["or"]), tb = Median(samples["tb"]), ob = Median(samples["ob"]);
        Console.WriteLine();
        Console.WriteLine($"## ONNX Runtime vs Transform ({rounds} interleaved rounds, medians; {Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()}, ONNX Runtime default threads)");
        Console.WriteLine($"load average before {loadBefore}, after {loadAfter}");
        Console.WriteLine();
        Console.WriteLine("| scoring | Transform (TorchSharp) | ONNX Runtime | Transform / ONNX Runtime |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine($"| one window (PredictionEngine vs session.Run on 1 × L × F), ms per row | {tr:F3} | {or:F3} | {tr / or:F1}× |");
        Console.WriteLine($"| {BatchSize} windows (Transform vs session.Run on {BatchSize} × L × F), ms per batch | {tb:F1} | {ob:F1} | {tb / ob:F1}× |");
        Console.WriteLine($"| {BatchSize} windows, ms per row | {tb / BatchSize:F3} | {ob / BatchSize:F3} | |");
        Console.WriteLine($"range over rounds (min–max), ms: per row Transform {Range(samples["tr"], "F3")}, ONNX Runtime {Range(samples["or"], "F3")}; batch Transform {Range(samples["tb"], "F1")}, ONNX Runtime {Range(samples["ob"], "F1")}");
    }

    private static double Milliseconds(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static string Range(List<double> values, string format) => $"{values.Min().ToString(format)}–{values.Max().ToString(format)}";

    private static double Median(List<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
