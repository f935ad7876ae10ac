using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// The prediction-interval run (--quantiles): ETTh2 standard split, L = 96, H = 24 (--horizon), all seven columns in
/// and out, the <c>mlContext.Forecasting.Seq2Seq</c> recipe trained twice with one seed — point forecasts only, and with
/// Quantiles { 0.1, 0.5, 0.9 } — on the same windows. Reports the 10–90 % interval's empirical coverage, mean width and
/// the weighted interval score on validation and test, the median's MSE / MAE against the point model's, next to
/// persistence and the closed-form linear baseline; and the interval after split-conformal calibration on the validation
/// windows (the rule of <see cref="QuantileOptions.Calibrate"/>), computed from the uncalibrated outputs so one
/// run shows both. Options: --csv, --horizon, --seed, --point-weight (PointLossWeight of the quantile model), --epochs,
/// --models DIR (save both models there; when they are already there, load them instead of training: to re-evaluate).
/// </summary>
internal static class QuantileCoverageRun
{
    public const string Flag = "--quantiles";
    private static readonly double[] s_levels = { 0.1, 0.5, 0.9 };

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string csv = Path.Combine("..", "shared", "data", "ETTh2.csv");
        int horizon = 24, seed = 1;
        double pointWeight = 1.0;
        int? epochs = null;
        string? models = null;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--csv": csv = Value(); break;
                case "--horizon": horizon = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--point-weight": pointWeight = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--models": models = Value(); break;
                default: Console.Error.WriteLine($"unknown option {name}; options: --csv PATH --horizon H --seed S --point-weight W --epochs E --models DIR"); return 2;
            }
        }
        if (!File.Exists(csv))
        {
            Console.Error.WriteLine($"{csv} not found: the interval run needs ETTh2.csv (see ../shared/data/README.md); pass --csv PATH.");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        Console.WriteLine($"# Prediction intervals: ETTh2, L = 96, H = {horizon}, 7 → 7 columns, standard split, train-only z-scores");
        Console.WriteLine();
        Console.WriteLine($"- started {DateTime.Now:yyyy-MM-dd HH:mm:ss}, machine: {MachineInfo.Describe()}, load average {MachineInfo.LoadAverage()}");
        Console.WriteLine($"- models: mlContext.Forecasting.Seq2Seq defaults (seed {seed}{(epochs is null ? "" : $", MaxEpochs {epochs}")}); the quantile model adds "
            + $"Quantiles {{ {string.Join(", ", s_levels)} }}, PointLossWeight {pointWeight}");
        var ml = new MLContext(seed: seed);
        IDataView series = ml.Data.LoadFromTextFile(csv, new[]
        {
            new TextLoader.Column("HUFL", DataKind.Single, 1), new TextLoader.Column("HULL", DataKind.Single, 2),
            new TextLoader.Column("MUFL", DataKind.Single, 3), new TextLoader.Column("MULL", DataKind.Single, 4),
            new TextLoader.Column("LUFL", DataKind.Single, 5), new TextLoader.Column("LULL", DataKind.Single, 6),
            new TextLoader.Column("OT", DataKind.Single, 7),
        }, separatorChar: ',', hasHeader: true);
        string[] columns = { "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT" };
        var windows = new SequenceWindowOptions { InputColumnNames = columns, InputLength = 96, Horizon = horizon };
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series, windows, ChronologicalSplit.EttHourly);

        Seq2SeqForecastingOptions Recipe(string name, double[]? quantiles)
        {
            var options = new Seq2SeqForecastingOptions();
            options.ValidationSet = split.Validation;
            options.Seed = seed;
            // Calibrate = false: the raw intervals; the calibrated ones are computed below by the same rule.
            options.Quantiles = quantiles is null ? null : new() { Levels = quantiles, PointLossWeight = pointWeight, Calibrate = false };
            if (epochs is int e)
                options.MaxEpochs = e;
            options.Progress = new SynchronousProgress<EpochSummary>(s => Console.Error.WriteLine($"  {name} {s}"));
            return options;
        }

        Seq2SeqTransformer FitOrLoad(string name, double[]? quantiles)
        {
            string? path = models is null ? null : Path.Combine(models, $"{name}-h{horizon}-seed{seed}.zip");
            if (path is not null && File.Exists(path))
            {
                Console.WriteLine($"- {name} model loaded from {path} (not trained in this run)");
                return (Seq2SeqTransformer)ml.Model.Load(path, out _);
            }
            Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(Recipe(name, quantiles)).Fit(split.Train);
            if (path is not null)
            {
                Directory.CreateDirectory(models!);
                ml.Model.Save(model, split.Train.Schema, path);
            }
            return model;
        }

        var pointClock = Stopwatch.StartNew();
        using Seq2SeqTransformer pointModel = FitOrLoad("point", null);
        double pointSeconds = pointClock.Elapsed.TotalSeconds;
        var quantileClock = Stopwatch.StartNew();
        using Seq2SeqTransformer quantileModel = FitOrLoad("quantile", s_levels);
        double quantileSeconds = quantileClock.Elapsed.TotalSeconds;

        SequenceRegressionMetrics point = ml.Regression.EvaluateSequence(pointModel.Transform(split.Test), "Label", "Score");
        IDataView scoredTest = quantileModel.Transform(split.Test), scoredValidation = quantileModel.Transform(split.Validation);
        ScoredWindows test = ScoredWindows.Read(scoredTest), validation = ScoredWindows.Read(scoredValidation);
        SequenceRegressionMetrics median = ml.Regression.EvaluateSequence(test.AsDataView(ml, horizon, columns.Length, s_levels, test.MedianOf(s_levels, horizon, columns.Length)), "Label", "Score");
        SequenceQuantileMetrics rawTest = ml.Regression.EvaluateSequenceQuantiles(scoredTest, s_levels);
        SequenceQuantileMetrics rawValidation = ml.Regression.EvaluateSequenceQuantiles(scoredValidation, s_levels);
        ForecastBaselineMetrics baselines = ml.Forecasting.EvaluateSeq2SeqBaselines(split.Train, split.Test);

        // Split-conformal calibration on the validation windows (per output column and step), applied to the test windows.
        float[] offsets = ConformalOffsets(validation, horizon, columns.Length, 0.8);
        SequenceQuantileMetrics calibratedTest = ml.Regression.EvaluateSequenceQuantiles(
            test.AsDataView(ml, horizon, columns.Length, s_levels, test.Widened(offsets, horizon, columns.Length)), s_levels);

        Console.WriteLine($"- windows: {split.Train.GetRowCount()} train, {split.Validation.GetRowCount()} validation, {split.Test.GetRowCount()} test; "
            + $"point model {pointSeconds:F0} s (kept epoch {pointModel.TrainingHistory.BestEpoch} / {pointModel.TrainingHistory.Epochs.Count}), "
            + $"quantile model {quantileSeconds:F0} s (kept epoch {quantileModel.TrainingHistory.BestEpoch} / {quantileModel.TrainingHistory.Epochs.Count})");
        Console.WriteLine();
        Console.WriteLine("| forecaster (test windows, z-scored) | MSE | MAE |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| point model (Forecasting.Seq2Seq defaults) | {point.MeanSquaredError:F4} | {point.MeanAbsoluteError:F4} |");
        Console.WriteLine($"| quantile model, median (q0.5) | {median.MeanSquaredError:F4} | {median.MeanAbsoluteError:F4} |");
        Console.WriteLine($"| persistence | {baselines.Persistence.MeanSquaredError:F4} | {baselines.Persistence.MeanAbsoluteError:F4} |");
        Console.WriteLine($"| closed-form linear | {baselines.Linear.MeanSquaredError:F4} | {baselines.Linear.MeanAbsoluteError:F4} |");
        Console.WriteLine();
        Console.WriteLine($"median ÷ point: MSE {median.MeanSquaredError / point.MeanSquaredError:F3}, MAE {median.MeanAbsoluteError / point.MeanAbsoluteError:F3}");
        Console.WriteLine();
        Console.WriteLine("| 10–90 % interval | coverage | mean width (z) | WIS | pinball q0.1 / q0.5 / q0.9 |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine(IntervalRow("validation, as trained", rawValidation));
        Console.WriteLine(IntervalRow("test, as trained", rawTest));
        Console.WriteLine(IntervalRow("test, conformal on validation", calibratedTest));
        Console.WriteLine();
        Console.WriteLine($"conformal offsets (z-scored, per step × column): mean {offsets.Average():F3}, min {offsets.Min():F3}, max {offsets.Max():F3}");
        Console.WriteLine($"Total {clock.Elapsed.TotalMinutes:F1} min; load average at the end {MachineInfo.LoadAverage()}.");
        return 0;
    }

    private static string IntervalRow(string name, SequenceQuantileMetrics metrics)
    {
        SequenceInterval interval = metrics.Intervals.Single();
        return $"| {name} | {interval.Coverage:P1} | {interval.MeanWidth:F3} | {metrics.WeightedIntervalScore:F4} | "
            + string.Join(" / ", metrics.PinballLosses.Select(p => p.ToString("F4", CultureInfo.InvariantCulture))) + " |";
    }

    /// <summary>Per (step, column): the ⌈(n + 1)(coverage)⌉-th smallest of max(lo − y, y − hi) over the windows.</summary>
    internal static float[] ConformalOffsets(ScoredWindows windows, int horizon, int outputs, double coverage)
    {
        int q = s_levels.Length, lower = 0, upper = q - 1;
        var offsets = new float[horizon * outputs];
        var scores = new float[windows.Labels.Count];
        for (int step = 0; step < horizon; step++)
        {
            for (int o = 0; o < outputs; o++)
            {
                for (int row = 0; row < scores.Length; row++)
                {
                    float y = windows.Labels[row][step * outputs + o];
                    float lo = windows.Quantiles[row][(step * q + lower) * outputs + o], hi = windows.Quantiles[row][(step * q + upper) * outputs + o];
                    scores[row] = Math.Max(lo - y, y - hi);
                }
                Array.Sort(scores);
                int rank = Math.Min(scores.Length, (int)Math.Ceiling((scores.Length + 1) * coverage));
                offsets[step * outputs + o] = scores[rank - 1];
            }
        }
        return offsets;
    }
}
