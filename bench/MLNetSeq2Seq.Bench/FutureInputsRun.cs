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
/// Known-future inputs (--future-inputs): (a) a generated hourly series whose target steps up by 2 while a scheduled event
/// runs (events of 6 h at pseudo-random starts, about one a day; the schedule is known ahead), L = 24, H = 12, the
/// forecasting recipe with and without the schedule as a future column, next to persistence, the closed-form linear
/// baseline, and a ridge regression that also sees the schedule; (b) ETTh2 (standard split, L = 96, H = 24, the default
/// recipe) with and without calendar features (hour of day, day of week, day of year, month). Options: --csv PATH,
/// --parts a,b (default both), --rows N (event series length, default 4000), --seed.
/// </summary>
internal static class FutureInputsRun
{
    public const string Flag = "--future-inputs";

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string csv = Path.Combine("..", "shared", "data", "ETTh2.csv");
        string parts = "a,b";
        int rows = 4000, seed = 1;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--csv": csv = value; break;
                case "--parts": parts = value; break;
                case "--rows": rows = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }
        var clock = Stopwatch.StartNew();
        Console.WriteLine("# Known-future inputs");
        Console.WriteLine();
        Console.WriteLine($"- started {DateTime.Now:yyyy-MM-dd HH:mm:ss}, machine: {MachineInfo.Describe()}, load average {MachineInfo.LoadAverage()}, seed {seed}");
        if (parts.Contains('a'))
            ScheduledEvents(rows, seed);
        if (parts.Contains('b'))
        {
            if (!File.Exists(csv))
                Console.WriteLine($"\n{csv} not found: part (b) needs ETTh2.csv (see ../shared/data/README.md); pass --csv PATH.");
            else
                Calendar(csv, seed);
        }
        Console.WriteLine();
        Console.WriteLine($"Total {clock.Elapsed.TotalMinutes:F1} min; load average at the end {MachineInfo.LoadAverage()}.");
        return 0;
    }

    private sealed class EventRow
    {
        public string Time { get; set; } = "";
        public float Load { get; set; }
        public float Event { get; set; }
    }

    private static EventRow[] Events(int count, int seed)
    {
        var random = new Random(seed + 10);
        var rows = new EventRow[count];
        int left = 0;
        var start = new DateTime(2021, 3, 1);
        for (int t = 0; t < count; t++)
        {
            if (left == 0 && random.NextDouble() < 1.0 / 24)
                left = 6;
            float planned = left > 0 ? 1f : 0f;
            if (left > 0)
                left--;
            rows[t] = new EventRow
            {
                Time = start.AddHours(t).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                Load = (float)(0.5 * Math.Sin(2 * Math.PI * t / 24) + 2 * planned + 0.05 * (random.NextDouble() - 0.5)),
                Event = planned,
            };
        }
        return rows;
    }

    private static void ScheduledEvents(int count, int seed)
    {
        var ml = new MLContext(seed: seed);
        IDataView series = ml.Data.LoadFromEnumerable(Events(count, seed));
        var split = new ChronologicalSplit(count * 7 / 10, count * 85 / 100, count);
        SequenceWindowOptions Windows(bool future) => new()
        {
            InputColumnNames = new[] { "Load", "Event" }, TargetColumnNames = new[] { "Load" }, InputLength = 24, Horizon = 12,
            FutureColumnNames = future ? new[] { "Event" } : null,
        };
        SequenceWindowSplit with = ml.Data.SplitSequenceWindowsChronologically(series, Windows(true), split);
        SequenceWindowSplit without = ml.Data.SplitSequenceWindowsChronologically(series, Windows(false), split);
        Console.WriteLine();
        Console.WriteLine($"## (a) Scheduled events: {count} hourly rows, split {split.TrainEnd}/{split.ValidationEnd}/{split.TestEnd}, L = 24, H = 12, Load (and past Event) → Load, z-scores");
        Console.WriteLine();
        Console.WriteLine("| model | test MSE | test MAE | kept epoch / run | seconds |");
        Console.WriteLine("|---|---|---|---|---|");
        var (withMse, _) = FitAndScore(ml, with, "forecasting recipe + schedule (FutureColumnNames = Event)", "FutureFeatures", seed, segment: 6);
        var (withoutMse, _) = FitAndScore(ml, without, "forecasting recipe, no future inputs", null, seed, segment: 6);
        ForecastBaselineMetrics baselines = ml.Forecasting.EvaluateSeq2SeqBaselines(without.Train, without.Test);
        Console.WriteLine($"| persistence | {baselines.Persistence.MeanSquaredError:F4} | {baselines.Persistence.MeanAbsoluteError:F4} | — | — |");
        Console.WriteLine($"| closed-form linear (input window) | {baselines.Linear.MeanSquaredError:F4} | {baselines.Linear.MeanAbsoluteError:F4} | — | — |");
        var (ridgeMse, ridgeMae) = RidgeWithFuture(with.Train, with.Test);
        Console.WriteLine($"| ridge on input window + schedule | {ridgeMse:F4} | {ridgeMae:F4} | — | — |");
        Console.WriteLine();
        Console.WriteLine($"Test MSE without / with future inputs: **{withoutMse / withMse:F1}×** (target ≥ 5×).");
    }

    private static (double Mse, double Mae) FitAndScore(MLContext ml, SequenceWindowSplit split, string name, string? futureColumn, int seed, int? segment = null)
    {
        var run = Stopwatch.StartNew();
        var options = new Seq2SeqForecastingOptions();
        options.ValidationSet = split.Validation;
        options.Seed = seed;
        options.FutureFeatureColumnName = futureColumn;
        if (segment is int w)
            options.FamilyOptions = new SegmentRecurrentOptions { SegmentLength = w };
        options.Progress = new SynchronousProgress<EpochSummary>(e => Console.Error.WriteLine($"  {name}: {e}"));
        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(options).Fit(split.Train);
        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(model.Transform(split.Test), "Label", "Score");
        Console.WriteLine($"| {name} | **{metrics.MeanSquaredError:F4}** | **{metrics.MeanAbsoluteError:F4}** | {model.TrainingHistory.BestEpoch} / {model.TrainingHistory.Epochs.Count} | {run.Elapsed.TotalSeconds:F0} |");
        return (metrics.MeanSquaredError, metrics.MeanAbsoluteError);
    }

    // Ridge regression (λ = 1e-3 × mean diagonal) of label − last Load on [inputs − last Load, future features, 1]: the
    // linear baseline given the same schedule as the model, so the model's gain is not only the schedule's.
    private static (double Mse, double Mae) RidgeWithFuture(IDataView train, IDataView test)
    {
        (double[][] X, double[][] Y, double[] Last) Design(IDataView data)
        {
            float[][] features = data.GetColumn<float[]>("Features").ToArray();
            float[][] future = data.GetColumn<float[]>("FutureFeatures").ToArray();
            float[][] labels = data.GetColumn<float[]>("Label").ToArray();
            var x = new double[features.Length][];
            var y = new double[features.Length][];
            var last = new double[features.Length];
            for (int i = 0; i < features.Length; i++)
            {
                last[i] = features[i][^2]; // Load at the last input step (inputs are Load, Event)
                x[i] = features[i].Select((v, j) => j % 2 == 0 ? v - last[i] : v).Concat(future[i].Select(v => (double)v)).Append(1.0).ToArray();
                y[i] = labels[i].Select(v => v - last[i]).ToArray();
            }
            return (x, y, last);
        }
        var (trainX, trainY, _) = Design(train);
        int d = trainX[0].Length, h = trainY[0].Length;
        var gram = new double[d, d];
        var right = new double[d, h];
        for (int n = 0; n < trainX.Length; n++)
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                    gram[a, b] += trainX[n][a] * trainX[n][b];
                for (int c = 0; c < h; c++)
                    right[a, c] += trainX[n][a] * trainY[n][c];
            }
        double penalty = 1e-3 * Enumerable.Range(0, d).Average(a => gram[a, a]);
        for (int a = 0; a < d; a++)
            gram[a, a] += penalty;
        double[,] weights = Solve(gram, right);
        var (testX, testY, _) = Design(test);
        double squares = 0, absolutes = 0;
        long values = 0;
        for (int n = 0; n < testX.Length; n++)
            for (int c = 0; c < h; c++, values++)
            {
                double forecast = 0;
                for (int a = 0; a < d; a++)
                    forecast += testX[n][a] * weights[a, c];
                double error = forecast - testY[n][c];
                squares += error * error;
                absolutes += Math.Abs(error);
            }
        return (squares / values, absolutes / values);
    }

    // Gaussian elimination with partial pivoting: A X = B for a symmetric positive definite A.
    private static double[,] Solve(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), m = b.GetLength(1);
        for (int col = 0; col < n; col++)
        {
            int pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(a[r, col]));
            for (int k = 0; k < n; k++) (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
            for (int k = 0; k < m; k++) (b[col, k], b[pivot, k]) = (b[pivot, k], b[col, k]);
            for (int r = col + 1; r < n; r++)
            {
                double factor = a[r, col] / a[col, col];
                for (int k = col; k < n; k++) a[r, k] -= factor * a[col, k];
                for (int k = 0; k < m; k++) b[r, k] -= factor * b[col, k];
            }
        }
        var x = new double[n, m];
        for (int r = n - 1; r >= 0; r--)
            for (int k = 0; k < m; k++)
            {
                double sum = b[r, k];
                for (int c = r + 1; c < n; c++) sum -= a[r, c] * x[c, k];
                x[r, k] = sum / a[r, r];
            }
        return x;
    }

    private static void Calendar(string csv, int seed)
    {
        var ml = new MLContext(seed: seed);
        IDataView series = ml.Data.LoadFromTextFile(csv, new[]
        {
            new TextLoader.Column("date", DataKind.String, 0),
            new TextLoader.Column("HUFL", DataKind.Single, 1), new TextLoader.Column("HULL", DataKind.Single, 2),
            new TextLoader.Column("MUFL", DataKind.Single, 3), new TextLoader.Column("MULL", DataKind.Single, 4),
            new TextLoader.Column("LUFL", DataKind.Single, 5), new TextLoader.Column("LULL", DataKind.Single, 6),
            new TextLoader.Column("OT", DataKind.Single, 7),
        }, separatorChar: ',', hasHeader: true);
        string[] columns = { "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT" };
        const CalendarFeatures calendar = CalendarFeatures.HourOfDay | CalendarFeatures.DayOfWeek | CalendarFeatures.DayOfYear | CalendarFeatures.Month;
        SequenceWindowOptions Windows(bool withCalendar) => new()
        {
            InputColumnNames = columns, InputLength = 96, Horizon = 24, TimestampColumnName = "date",
            CalendarFeatures = withCalendar ? calendar : CalendarFeatures.None,
        };
        SequenceWindowSplit with = ml.Data.SplitSequenceWindowsChronologically(series, Windows(true), ChronologicalSplit.EttHourly);
        SequenceWindowSplit without = ml.Data.SplitSequenceWindowsChronologically(series, Windows(false), ChronologicalSplit.EttHourly);
        Console.WriteLine();
        Console.WriteLine($"## (b) ETTh2, standard split, L = 96, H = 24, 7 → 7 columns, train-only z-scores, calendar = {calendar}");
        Console.WriteLine();
        Console.WriteLine("| model | test MSE | test MAE | kept epoch / run | seconds |");
        Console.WriteLine("|---|---|---|---|---|");
        FitAndScore(ml, with, "forecasting recipe + calendar features", "FutureFeatures", seed);
        FitAndScore(ml, without, "forecasting recipe", null, seed);
        ForecastBaselineMetrics baselines = ml.Forecasting.EvaluateSeq2SeqBaselines(without.Train, without.Test);
        Console.WriteLine($"| persistence | {baselines.Persistence.MeanSquaredError:F4} | {baselines.Persistence.MeanAbsoluteError:F4} | — | — |");
        Console.WriteLine($"| closed-form linear | {baselines.Linear.MeanSquaredError:F4} | {baselines.Linear.MeanAbsoluteError:F4} | — | — |");
    }
}
