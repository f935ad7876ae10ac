// Forecasting an ETT-format series: CSV → windows → chronological split with train-only z-scoring →
// mlContext.Forecasting.Seq2Seq with its defaults and early stopping → test metrics next to the two baselines a user
// checks first (repeat the last value; closed-form linear) → save/load → PNG plots (MLNetSeq2Seq.Plots) → metrics in the CSV's units →
// the forecast past the last row with its 80 % interval (24 hours with this model; with --future-96 also 96 with a second
// one), as CSV and PNG.
//   dotnet run -c Release --project examples/Forecasting [-- path/to/ETTh2.csv] [--out folder] [--horizon H (default 24)] [--future-96]
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
using MLNetSeq2Seq.Plots;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
string? csv = null, output = Path.Combine("artifacts", "forecasting");
int horizon = 24;
int? futureHorizon = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--out") output = args[++i];
    else if (args[i] == "--horizon") horizon = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--future-96") futureHorizon = 96; // a second model, for the 96 hours after the data (not in CI: it doubles the run)
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
var windows = new SequenceWindowOptions { InputColumnNames = columns, InputLength = 96, Horizon = horizon, TimestampColumnName = "Date", ForecastStartTimestampColumnName = "ForecastDate" };
SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series, windows, ChronologicalSplit.EttHourly);
Console.WriteLine($"windows: {split.Train.GetRowCount()} train, {split.Validation.GetRowCount()} validation, {split.Test.GetRowCount()} test (L = 96, H = {horizon}, {columns.Length} → {columns.Length} columns).");

// 2. The forecasting trainer with its defaults, plus quantiles 0.1 / 0.5 / 0.9 for an 80 % interval (calibrated on the
//    validation windows after training, Seq2SeqOptions.Quantiles.Calibrate). Its progress (the recipe it picked, one line
//    per epoch) arrives through MLContext.Log like any ML.NET trainer's.
ml.Log += (_, e) =>
{
    if (e.Message.Contains("Seq2Seq: ", StringComparison.Ordinal) && (e.Message.Contains(" epoch ", StringComparison.Ordinal) || e.Message.Contains("training rows", StringComparison.Ordinal)
        || e.Message.Contains("calibrated", StringComparison.Ordinal) || e.Message.Contains("of the candidates", StringComparison.Ordinal)))
        Console.WriteLine("  " + e.Message[(e.Message.IndexOf("Seq2Seq: ", StringComparison.Ordinal) + 9)..]);
};
double[] levels = { 0.1, 0.5, 0.9 };
Seq2SeqForecastingOptions Recipe(int h, IDataView validation)
{
    var options = new Seq2SeqForecastingOptions();
    options.Horizon = h;
    options.ValidationSet = validation;
    options.Quantiles = new() { Levels = levels };
    return options;
}
var estimator = ml.Forecasting.Seq2Seq(Recipe(horizon, split.Validation));
Seq2SeqTransformer model = estimator.Fit(split.Train);
Console.WriteLine($"kept epoch {model.TrainingHistory.BestEpoch} of {model.TrainingHistory.Epochs.Count} (validation MSE {model.TrainingHistory.BestValidationLoss:F4}).");

// 3. Test metrics on z-scored values, the way the ETT papers report them, next to the baselines on the same windows.
IDataView scored = model.Transform(split.Test);
SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(scored, labelColumnName: "Label", scoreColumnName: "Score");
ForecastBaselineMetrics baselines = ml.Forecasting.EvaluateSeq2SeqBaselines(split.Train, split.Test);
Console.WriteLine($"test ({metrics.SequenceCount} windows, z-scored):");
Console.WriteLine($"  | forecaster | MSE | MAE |");
Console.WriteLine($"  | MLNetSeq2Seq (Forecasting.Seq2Seq defaults) | {metrics.MeanSquaredError:F4} | {metrics.MeanAbsoluteError:F4} |");
Console.WriteLine($"  | repeat the last observed value | {baselines.Persistence.MeanSquaredError:F4} | {baselines.Persistence.MeanAbsoluteError:F4} |");
Console.WriteLine($"  | closed-form linear (ridge on input minus last value) | {baselines.Linear.MeanSquaredError:F4} | {baselines.Linear.MeanAbsoluteError:F4} |");
SequenceInterval interval = ml.Regression.EvaluateSequenceQuantiles(scored, levels).Intervals.Single();
Console.WriteLine($"  10–90 % interval: coverage {interval.Coverage:P1} of the test values (nominal {interval.NominalCoverage:P0}), mean width {interval.MeanWidth:F3} (z-scored)");
Console.WriteLine("  MSE per horizon step: " + string.Join(" ", metrics.MeanSquaredErrorPerStep.Select(v => v.ToString("F3"))));
Console.WriteLine("  MSE per column:       " + string.Join(" ", columns.Zip(metrics.MeanSquaredErrorPerFeature, (c, v) => $"{c} {v:F3}")));

// 4. Save, load in a fresh context, and check the loaded model scores identically.
string path = Path.Combine(output, "forecasting-model.zip");
ml.Model.Save(model, split.Train.Schema, path);
ITransformer loaded = new MLContext().Model.Load(path, out _);
float[] before = scored.GetColumn<float[]>("Score").First();
float[] after = loaded.Transform(split.Test).GetColumn<float[]>("Score").First();
Console.WriteLine($"saved {path} ({new FileInfo(path).Length / 1024} KiB); reloaded model scores {(before.SequenceEqual(after) ? "identically" : "DIFFERENTLY")}.");

// 5. Plots, from the companion package MLNetSeq2Seq.Plots (PNG or SVG by the extension): the loss per epoch with the
//    learning rate, and four test windows — the 96 hours the model saw, its 24-hour forecast, the actual values, the 80 %
//    band — on the series' own time axis and units.
model.TrainingHistory.SavePlot(Path.Combine(output, "losses.png"), title: $"ETTh2, H = {horizon}: loss per epoch");
ForecastWindowPlots.Save(scored, Path.Combine(output, "forecasts.png"), columns, target: "OT", statistics: split.Statistics,
    quantileLevels: levels, forecastStartColumnName: "ForecastDate", step: TimeSpan.FromHours(1));
Console.WriteLine($"plots: {output}/losses.png, forecasts.png");

// 6. The same test metrics in the CSV's own units: the windows' z-score statistics travel on the label column.
SequenceRegressionMetrics original = metrics.InOriginalUnits!;
Console.WriteLine("  in the CSV's units, MAE per column: " + string.Join(" ", columns.Zip(original.MeanAbsoluteErrorPerFeature, (c, v) => $"{c} {v:F3}")));

// 7. Forecast past the end of the data: the engine holds the last 96 rows of the CSV (raw values), and the model its
//    training statistics, so the forecast comes back in the CSV's units with the timestamps of the hours after it.
FutureForecast.Run(ml, (Seq2SeqTransformer)loaded, series, output);
if (futureHorizon is int extra && extra != horizon)
{
    // A second model for a longer horizon, trained the same way.
    var longWindows = new SequenceWindowOptions { InputColumnNames = columns, InputLength = 96, Horizon = extra };
    SequenceWindowSplit longSplit = ml.Data.SplitSequenceWindowsChronologically(series, longWindows, ChronologicalSplit.EttHourly);
    var longClock = Stopwatch.StartNew();
    using Seq2SeqTransformer longModel = ml.Forecasting.Seq2Seq(Recipe(extra, longSplit.Validation)).Fit(longSplit.Train);
    Console.WriteLine($"H = {extra} model trained in {longClock.Elapsed.TotalSeconds:F0} s.");
    FutureForecast.Run(ml, longModel, series, output);
}

Console.WriteLine($"done in {clock.Elapsed.TotalSeconds:F0} s.");
((IDisposable)loaded).Dispose();
model.Dispose();
return before.SequenceEqual(after) ? 0 : 1;
