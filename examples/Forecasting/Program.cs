// Forecasting an ETT-format series: CSV → windows → chronological split with train-only z-scoring → LR range test →
// Fit with early stopping → test metrics (overall and per horizon step) → save/load → PNG plots.
//   dotnet run -c Release --project examples/Forecasting [-- path/to/ETTh2.csv] [--out folder] [--epochs N]
//       [--learning-rate LR (default: the range test's suggestion)] [--teacher-forcing RATIO (default 0.5)]
// Without a CSV it writes a generated multivariate series (seasonality, trend, noise) in the same format and uses it.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Forecasting;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string? csv = null, output = Path.Combine("artifacts", "forecasting");
int maxEpochs = 20;
double? learningRate = null;
double teacherForcing = 0.5;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--out") output = args[++i];
    else if (args[i] == "--learning-rate") learningRate = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--teacher-forcing") teacherForcing = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--epochs") maxEpochs = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else csv = args[i];
}
Directory.CreateDirectory(output);
bool generated = csv is null;
csv ??= GeneratedSeries.Write(Path.Combine(output, "generated-series.csv"), rows: 17420, seed: 3);
Console.WriteLine(generated ? $"No CSV given: generated an ETT-format series at {csv}." : $"data: {csv}");

// 1. Load the CSV as it is, cut windows, and split the standard way: train rows [0, 8640), validation targets
//    [8640, 11520), test targets [11520, 14400); z-scores from train rows only.
var ml = new MLContext(seed: 1);
IDataView series = ml.Data.LoadFromTextFile<EttRow>(csv, hasHeader: true, separatorChar: ',');
string[] columns = EttRow.ValueColumns;
var windows = new SequenceWindowOptions { InputColumnNames = columns, InputLength = 96, Horizon = 24, TimestampColumnName = "Date", ForecastStartTimestampColumnName = "ForecastDate" };
SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series, windows, ChronologicalSplit.EttHourly);
Console.WriteLine($"windows: {split.Train.GetRowCount()} train, {split.Validation.GetRowCount()} validation, {split.Test.GetRowCount()} test (L = 96, H = 24, {columns.Length} → {columns.Length} columns).");

// 2. The learning-rate range test, then Fit with its suggestion and early stopping on the validation windows.
var options = new Seq2SeqOptions
{
    HiddenSize = 64,
    BatchSize = 32,
    MaxEpochs = maxEpochs,
    ValidationSet = split.Validation,
    EarlyStoppingPatience = 4,
    TeacherForcingRatio = teacherForcing,
    ResidualDecoding = true, // predicts corrections to the last observed step: better validation MSE on ETTh2
    Seed = 1,
    Progress = new Progress<EpochSummary>(e => Console.WriteLine("  " + e)),
};
LearningRateRangeTestResult rangeTest = ml.Regression.Trainers.FindSeq2SeqLearningRate(split.Train, options);
options.LearningRate = learningRate ?? rangeTest.SuggestedLearningRate;
Console.WriteLine($"range test: {rangeTest.Curve.Count} steps ({rangeTest.StopReason}); steepest {rangeTest.SteepestDescentLearningRate:G3}, valley {rangeTest.ValleyLearningRate:G3} → learning rate {options.LearningRate:G3}"
    + (learningRate is null ? " (the suggestion)." : " (given on the command line)."));
Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(split.Train);
Console.WriteLine($"kept epoch {model.TrainingHistory.BestEpoch} of {model.TrainingHistory.Epochs.Count} (validation MSE {model.TrainingHistory.BestValidationLoss:F4}).");

// 3. Test metrics on z-scored values, the way the ETT papers report them, next to repeating the last observed value.
IDataView scored = model.Transform(split.Test);
SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(scored, labelColumnName: "Label", scoreColumnName: "Score");
double repeatLast = RepeatLastValueMse(split.Test, columns.Length);
Console.WriteLine($"test ({metrics.SequenceCount} windows, z-scored): MSE {metrics.MeanSquaredError:F4}, MAE {metrics.MeanAbsoluteError:F4}, RMSE {metrics.RootMeanSquaredError:F4}, R² {metrics.RSquared:F3}");
Console.WriteLine($"  repeating the last observed value: MSE {repeatLast:F4}");
Console.WriteLine("  MSE per horizon step: " + string.Join(" ", metrics.MeanSquaredErrorPerStep.Select(v => v.ToString("F3"))));
Console.WriteLine("  MSE per column:       " + string.Join(" ", columns.Zip(metrics.MeanSquaredErrorPerFeature, (c, v) => $"{c} {v:F3}")));

// 4. Save, load in a fresh context, and check the loaded model scores identically.
string path = Path.Combine(output, "forecasting-model.zip");
ml.Model.Save(model, split.Train.Schema, path);
ITransformer loaded = new MLContext().Model.Load(path, out _);
float[] before = scored.GetColumn<float[]>("Score").First();
float[] after = loaded.Transform(split.Test).GetColumn<float[]>("Score").First();
Console.WriteLine($"saved {path} ({new FileInfo(path).Length / 1024} KiB); reloaded model scores {(before.SequenceEqual(after) ? "identically" : "DIFFERENTLY")}.");

// 5. Plots.
Plots.Losses(model.TrainingHistory, Path.Combine(output, "losses.png"));
Plots.RangeTest(rangeTest, Path.Combine(output, "lr-range-test.png"));
Plots.Forecasts(scored, split.Statistics!, columns, target: "OT", Path.Combine(output, "forecasts.png"));
Console.WriteLine($"plots: {output}/losses.png, lr-range-test.png, forecasts.png");
Console.WriteLine($"done in {clock.Elapsed.TotalSeconds:F0} s.");
((IDisposable)loaded).Dispose();
model.Dispose();
return before.SequenceEqual(after) ? 0 : 1;

static double RepeatLastValueMse(IDataView windows, int columnCount)
{
    double sum = 0;
    long count = 0;
    foreach (var (features, label) in windows.GetColumn<float[]>("Features").Zip(windows.GetColumn<float[]>("Label")))
        for (int i = 0; i < label.Length; i++, count++)
            sum += Math.Pow(label[i] - features[features.Length - columnCount + i % columnCount], 2);
    return sum / count;
}
