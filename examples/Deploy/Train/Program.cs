// examples/Deploy, step 1 (this app, with TorchSharp): train a small forecaster with mlContext.Forecasting.Seq2Seq on
// ETTh2 (../shared/data when present, else a generated series of the same format), save the ML.NET zip, export ONNX
// with mlContext.Model.ConvertToOnnx, and check that ML.NET's ApplyOnnxModel and ONNX Runtime give Transform's scores
// on the same test windows (within 1e-5). It writes forecast.onnx and test-windows.bin (the windows and Transform's
// scores) for step 2, examples/Deploy/Serve, which scores with ONNX Runtime alone.
//   dotnet run -c Release --project examples/Deploy/Train [-- --csv path/to/ETTh2.csv] [--out folder] [--epochs 3]
//       [--latency [--rounds 7]]   (--latency: per-row and batched latency of ONNX Runtime vs Transform, docs/benchmarks.md)
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Deploy;
using Forecasting;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNetSeq2Seq;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string? csv = null;
string output = Path.Combine("artifacts", "deploy");
int epochs = 3, rounds = 7;
bool latency = false;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--csv": csv = Value(); break;
        case "--out": output = Value(); break;
        case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--latency": latency = true; break;
        case "--rounds": rounds = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"Unknown argument '{args[i]}'."); return 2;
    }
}
Directory.CreateDirectory(output);
csv ??= DataFiles.FindEtth2();
if (csv is null)
{
    csv = GeneratedSeries.Write(Path.Combine(output, "generated-series.csv"), rows: 14400, seed: 3);
    Console.WriteLine($"ETTh2.csv not found (../shared/data): generated an ETT-format series at {csv}.");
}
else
{
    Console.WriteLine($"data: {csv}");
}

// 1. Windows of 96 hours → 24 hours, z-scored with train-row statistics, the standard chronological split. Every 4th
//    window only: this is a deployment story, the training is kept short on purpose.
const int InputLength = 96, Horizon = 24;
var ml = new MLContext(seed: 1);
IDataView series = ml.Data.LoadFromTextFile<EttRow>(csv, hasHeader: true, separatorChar: ',');
string[] columns = EttRow.ValueColumns;
var windowOptions = new SequenceWindowOptions { InputColumnNames = columns, InputLength = InputLength, Horizon = Horizon, Stride = 4 };
SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series, windowOptions, ChronologicalSplit.EttHourly);

// 2. The forecasting recipe (segment-recurrent family, SubtractLast, channel independence, 256 hidden units), with a
//    few epochs and no early stopping.
var options = new Seq2SeqForecastingOptions();
options.Horizon = Horizon;
options.MaxEpochs = epochs;
options.Seed = 1;
using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(options).Fit(split.Train);
Console.WriteLine($"trained {model.TrainingHistory.Epochs.Count} epochs on {split.Train.GetRowCount()} windows ({clock.Elapsed.TotalSeconds:F0} s).");
string zipPath = Path.Combine(output, "forecast.zip");
ml.Model.Save(model, split.Train.Schema, zipPath);

// 3. What a deployed model is given: the feature windows alone, in a column of fixed shape L × F. The converter makes
//    one graph input per column of this view, so it holds nothing else.
float[][] testFeatures = split.Test.GetColumn<float[]>("Features").ToArray();
IDataView testWindows = FeatureWindows.ToDataView(ml, testFeatures, InputLength, columns.Length);
string onnxPath = Path.Combine(output, "forecast.onnx");
using (FileStream file = File.Create(onnxPath))
    ml.Model.ConvertToOnnx(model, testWindows, file);
Console.WriteLine($"saved {zipPath} ({new FileInfo(zipPath).Length / 1024} KiB) and {onnxPath} ({new FileInfo(onnxPath).Length / 1024} KiB).");

// 4. The same windows through Transform, ML.NET's ApplyOnnxModel, and ONNX Runtime directly.
float[] transformScores = FeatureWindows.Scores(model, testWindows, "Score");
int outputCount = transformScores.Length / (testFeatures.Length * Horizon);
var applyOnnx = ml.Transforms.ApplyOnnxModel("Score.output", "Features", onnxPath).Fit(testWindows);
float[] applyOnnxScores = FeatureWindows.Scores(applyOnnx, testWindows, "Score");
applyOnnx.Dispose();
float[] flatFeatures = testFeatures.SelectMany(r => r).ToArray();
float[] runtimeScores;
using (var session = new InferenceSession(onnxPath))
{
    var input = new DenseTensor<float>(flatFeatures, new[] { testFeatures.Length, InputLength, columns.Length });
    using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Features", input) }, new[] { "Score.output" });
    runtimeScores = results[0].AsEnumerable<float>().ToArray();
}
const double Tolerance = 1e-5;
double applyDifference = ScoredWindows.MaxAbsoluteDifference(transformScores, applyOnnxScores);
double runtimeDifference = ScoredWindows.MaxAbsoluteDifference(transformScores, runtimeScores);
Console.WriteLine($"{testFeatures.Length} test windows: ApplyOnnxModel differs from Transform by at most {applyDifference:G3}, ONNX Runtime by at most {runtimeDifference:G3} (tolerance {Tolerance:G1}).");

// 5. For the Serve app: the windows and Transform's scores.
string windowsPath = Path.Combine(output, "test-windows.bin");
new ScoredWindows(testFeatures.Length, InputLength, columns.Length, Horizon, outputCount, flatFeatures, transformScores).Save(windowsPath);
Console.WriteLine($"wrote {windowsPath}; next: dotnet publish examples/Deploy/Serve, then Serve {onnxPath} {windowsPath}.");

if (latency)
    LatencyComparison.Run(ml, model, onnxPath, testFeatures, InputLength, columns.Length, rounds);
Console.WriteLine($"done in {clock.Elapsed.TotalSeconds:F0} s.");
return applyDifference < Tolerance && runtimeDifference < Tolerance ? 0 : 1;
