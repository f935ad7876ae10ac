// MLNetSeq2Seq quick start: forecast the next 6 steps of 3 sensors from the last 24 steps.
// Generate data → Fit (with validation and early stopping) → evaluate → save → load → predict one sequence.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;

const int InputLength = Shape.InputLength, Horizon = Shape.Horizon, Sensors = Shape.Sensors;
var clock = Stopwatch.StartNew();
var ml = new MLContext(seed: 1);

// 1. Data: a multivariate series (daily and weekly cycles, trend, noise), cut into windows.
//    Features = 24 steps × 3 sensors, Label = the next 6 steps × 3 sensors, both time-major.
//    Overlapping windows share rows: a gap of ⌈Horizon / stride⌉ − 1 windows between two parts keeps every label row
//    of the later part out of the earlier part's windows (no leakage into validation or test).
const int Stride = 2, Gap = (Horizon + Stride - 1) / Stride - 1;
List<Window> windows = Window.Slide(SyntheticSeries(length: 2600, seed: 7), InputLength, Horizon, Stride);
int trainCount = (int)(windows.Count * 0.8);
List<Window> testWindows = windows.Skip(trainCount + Gap).ToList();
IDataView train = ml.Data.LoadFromEnumerable(windows.Take(trainCount));
IDataView test = ml.Data.LoadFromEnumerable(testWindows);
Console.WriteLine($"{windows.Count} windows: {trainCount} for training (the last 15% of them validate, after a gap of {Gap}), {testWindows.Count} for test (after a gap of {Gap}).");

// 2. Train. Shapes come from the columns' [steps, features] dimensions.
var options = new Seq2SeqOptions
{
    FeatureColumnName = "Features",
    LabelColumnName = "Label",
    HiddenSize = 48,
    BatchSize = 32,
    MaxEpochs = 25,
    LearningRate = 3e-3,
    ValidationFraction = 0.15,
    ValidationGapRows = Gap,
    EarlyStopping = { Patience = 5 },
    Progress = new Progress<EpochSummary>(e => Console.WriteLine("  " + e)),
};
var pipeline = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.Regression.Trainers.Seq2Seq(options));
var model = pipeline.Fit(train);
Console.WriteLine($"kept the weights of epoch {model.LastTransformer.TrainingHistory.BestEpoch}.");

// 3. Evaluate on the test windows.
SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(model.Transform(test), labelColumnName: "Label", scoreColumnName: "Score");
double lastValueMse = LastValueBaseline(testWindows);
Console.WriteLine($"test: MSE {metrics.MeanSquaredError:F4}, RMSE {metrics.RootMeanSquaredError:F4}, MAE {metrics.MeanAbsoluteError:F4}, R² {metrics.RSquared:F3} over {metrics.SequenceCount} sequences");
Console.WriteLine($"      (repeating the last observed value would give MSE {lastValueMse:F4})");
Console.WriteLine("      MSE per step: " + string.Join(" ", metrics.MeanSquaredErrorPerStep.Select(v => v.ToString("F4"))));

// 4. Save, load as a fresh process would, and predict one sequence.
string path = Path.Combine(Path.GetTempPath(), "mlnetseq2seq-quickstart.zip");
ml.Model.Save(model, train.Schema, path);
ITransformer loaded = new MLContext().Model.Load(path, out _);
using var engine = ml.Model.CreatePredictionEngine<Window, Forecast>(loaded);
Window last = windows[^1];
float[] forecast = engine.Predict(last).Score;
Console.WriteLine($"saved and reloaded {path} ({new FileInfo(path).Length / 1024} KiB); forecast for the last window, sensor 0:");
Console.WriteLine("  predicted " + string.Join(" ", Enumerable.Range(0, Horizon).Select(h => forecast[h * Sensors].ToString("F2"))));
Console.WriteLine("  actual    " + string.Join(" ", Enumerable.Range(0, Horizon).Select(h => last.Label[h * Sensors].ToString("F2"))));
((IDisposable)loaded).Dispose();
model.LastTransformer.Dispose();
File.Delete(path);
Console.WriteLine($"done in {clock.Elapsed.TotalSeconds:F0} s.");
return metrics.MeanSquaredError < lastValueMse ? 0 : 1;

static float[][] SyntheticSeries(int length, int seed)
{
    var random = new Random(seed);
    var series = new float[length][];
    for (int t = 0; t < length; t++)
    {
        double daily = Math.Sin(2 * Math.PI * t / 24), weekly = Math.Sin(2 * Math.PI * t / 168);
        series[t] = new[]
        {
            (float)(daily + 0.5 * weekly + 0.0004 * t + 0.1 * random.NextDouble()),
            (float)(0.8 * Math.Cos(2 * Math.PI * t / 24) + 0.3 * weekly + 0.1 * random.NextDouble()),
            (float)(0.6 * daily * weekly + 0.2 * Math.Sin(2 * Math.PI * t / 12) + 0.1 * random.NextDouble()),
        };
    }
    return series;
}

static double LastValueBaseline(IEnumerable<Window> windows)
{
    double sum = 0;
    long count = 0;
    foreach (Window w in windows)
        for (int h = 0; h < Horizon; h++)
            for (int s = 0; s < Sensors; s++, count++)
                sum += Math.Pow(w.Label[h * Sensors + s] - w.Features[(InputLength - 1) * Sensors + s], 2);
    return sum / count;
}

/// <summary>The window shape used throughout.</summary>
public static class Shape
{
    public const int InputLength = 24, Horizon = 6, Sensors = 3;
}

/// <summary>One training row: a window of the series and what follows it.</summary>
public sealed class Window
{
    [VectorType(Shape.InputLength, Shape.Sensors)]
    public float[] Features { get; set; } = Array.Empty<float>();

    [VectorType(Shape.Horizon, Shape.Sensors)]
    public float[] Label { get; set; } = Array.Empty<float>();

    public static List<Window> Slide(float[][] series, int inputLength, int horizon, int stride)
    {
        var windows = new List<Window>();
        for (int start = 0; start + inputLength + horizon <= series.Length; start += stride)
            windows.Add(new Window
            {
                Features = series.Skip(start).Take(inputLength).SelectMany(v => v).ToArray(),
                Label = series.Skip(start + inputLength).Take(horizon).SelectMany(v => v).ToArray(),
            });
        return windows;
    }
}

/// <summary>What the prediction engine returns.</summary>
public sealed class Forecast
{
    public float[] Score { get; set; } = Array.Empty<float>();
}
