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
/// The interval-smoothing run (--interval-smoothing): ETTh2 standard split, L = 96, H = 24 (--horizon), the
/// <c>mlContext.Forecasting.Seq2Seq</c> recipe with Quantiles { 0.1, 0.5, 0.9 } trained once without calibration; then,
/// from its uncalibrated outputs on the validation windows, split-conformal calibrations of the 80 % interval: per
/// horizon step (each step's offset from its own scores: the rule of <see cref="QuantileOptions.Calibrate"/>),
/// pooled over neighbouring steps (each step's offset from the scores of the steps within ±r), and per step then fitted
/// non-decreasing in the step. Reports for each: coverage on validation (where the offsets were fitted) and on test,
/// overall and the spread over horizon steps, the test mean width and weighted interval score, and how jagged the
/// offsets and the test bands are across steps (mean absolute change from one step to the next). Options: --csv, --horizon, --seed, --epochs,
/// --models DIR (save the model there; when it is already there, load it instead of training).
/// </summary>
internal static class IntervalSmoothingRun
{
    public const string Flag = "--interval-smoothing";
    private static readonly double[] s_levels = { 0.1, 0.5, 0.9 };

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string csv = Path.Combine("..", "shared", "data", "ETTh2.csv");
        int horizon = 24, seed = 1;
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
                case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--models": models = Value(); break;
                default: Console.Error.WriteLine($"unknown option {name}; options: --csv PATH --horizon H --seed S --epochs E --models DIR"); return 2;
            }
        }
        if (!File.Exists(csv))
        {
            Console.Error.WriteLine($"{csv} not found: the run needs ETTh2.csv (see ../shared/data/README.md); pass --csv PATH.");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        Console.WriteLine($"# 80 % interval, per-step vs pooled conformal offsets: ETTh2, L = 96, H = {horizon}, 7 → 7 columns, standard split");
        Console.WriteLine();
        Console.WriteLine($"- started {DateTime.Now:yyyy-MM-dd HH:mm:ss}, machine: {MachineInfo.Describe()}, load average {MachineInfo.LoadAverage()}");
        var ml = new MLContext(seed: seed);
        IDataView series = ml.Data.LoadFromTextFile(csv, new[]
        {
            new TextLoader.Column("HUFL", DataKind.Single, 1), new TextLoader.Column("HULL", DataKind.Single, 2),
            new TextLoader.Column("MUFL", DataKind.Single, 3), new TextLoader.Column("MULL", DataKind.Single, 4),
            new TextLoader.Column("LUFL", DataKind.Single, 5), new TextLoader.Column("LULL", DataKind.Single, 6),
            new TextLoader.Column("OT", DataKind.Single, 7),
        }, separatorChar: ',', hasHeader: true);
        string[] columns = { "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT" };
        int outputs = columns.Length;
        var windows = new SequenceWindowOptions { InputColumnNames = columns, InputLength = 96, Horizon = horizon };
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series, windows, ChronologicalSplit.EttHourly);

        string? path = models is null ? null : Path.Combine(models, $"quantile-uncalibrated-h{horizon}-seed{seed}.zip");
        Seq2SeqTransformer model;
        if (path is not null && File.Exists(path))
        {
            Console.WriteLine($"- model loaded from {path} (not trained in this run)");
            model = (Seq2SeqTransformer)ml.Model.Load(path, out _);
        }
        else
        {
            var options = new Seq2SeqForecastingOptions();
            options.Horizon = horizon;
            options.ValidationSet = split.Validation;
            options.Seed = seed;
            options.Quantiles = new() { Levels = s_levels, Calibrate = false }; // the raw intervals; both calibrations are computed below
            if (epochs is int e)
                options.MaxEpochs = e;
            options.Progress = new SynchronousProgress<EpochSummary>(s => Console.Error.WriteLine($"  {s}"));
            model = ml.Forecasting.Seq2Seq(options).Fit(split.Train);
            Console.WriteLine($"- trained in {clock.Elapsed.TotalSeconds:F0} s, kept epoch {model.TrainingHistory.BestEpoch} of {model.TrainingHistory.Epochs.Count}");
            if (path is not null)
            {
                Directory.CreateDirectory(models!);
                ml.Model.Save(model, split.Train.Schema, path);
            }
        }
        using (model)
        {
            ScoredWindows validation = ScoredWindows.Read(model.Transform(split.Validation)), test = ScoredWindows.Read(model.Transform(split.Test));
            int radius = Math.Max(1, horizon / 12);
            float[] perStep = QuantileCoverageRun.ConformalOffsets(validation, horizon, outputs, 0.8);
            float[] pooled = PooledOffsets(validation, horizon, outputs, 0.8, radius);
            Console.WriteLine($"- {validation.Labels.Count} validation windows (offsets fitted here), {test.Labels.Count} test windows; pooling radius r = {radius} steps");
            Console.WriteLine();
            Console.WriteLine("| 10–90 % interval | validation coverage | validation per-step (min – max) | test coverage | test per-step (min – max) | test mean width (z) | test WIS | offsets: mean abs. change between steps | test band width: mean abs. change between steps |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            Console.WriteLine(Row(ml, "as trained (no calibration)", validation, test, null, horizon, outputs));
            Console.WriteLine(Row(ml, "conformal, per step", validation, test, perStep, horizon, outputs));
            Console.WriteLine(Row(ml, $"conformal, pooled over ±{radius} steps", validation, test, pooled, horizon, outputs));
            Console.WriteLine(Row(ml, "conformal, pooled over ±1 step", validation, test, PooledOffsets(validation, horizon, outputs, 0.8, 1), horizon, outputs));
            Console.WriteLine(Row(ml, "conformal per step, then fitted non-decreasing in the step", validation, test, Monotone(perStep, horizon, outputs), horizon, outputs));
        }
        Console.WriteLine();
        Console.WriteLine($"Total {clock.Elapsed.TotalMinutes:F1} min; load average at the end {MachineInfo.LoadAverage()}.");
        return 0;
    }

    private static string Row(MLContext ml, string name, ScoredWindows validation, ScoredWindows test, float[]? offsets, int horizon, int outputs)
    {
        List<float[]> v = offsets is null ? validation.Quantiles.ToList() : validation.Widened(offsets, horizon, outputs);
        List<float[]> t = offsets is null ? test.Quantiles.ToList() : test.Widened(offsets, horizon, outputs);
        SequenceInterval onValidation = ml.Regression.EvaluateSequenceQuantiles(validation.AsDataView(ml, horizon, outputs, s_levels, v), s_levels).Intervals.Single();
        SequenceQuantileMetrics onTest = ml.Regression.EvaluateSequenceQuantiles(test.AsDataView(ml, horizon, outputs, s_levels, t), s_levels);
        double[] perStep = StepCoverage(test, t, horizon, outputs), perStepValidation = StepCoverage(validation, v, horizon, outputs);
        string jagged = offsets is null ? "–" : Jaggedness(offsets, horizon, outputs).ToString("F4", CultureInfo.InvariantCulture);
        SequenceInterval interval = onTest.Intervals.Single();
        return $"| {name} | {onValidation.Coverage:P1} | {perStepValidation.Min():P1} – {perStepValidation.Max():P1} | {interval.Coverage:P1} | {perStep.Min():P1} – {perStep.Max():P1} | {interval.MeanWidth:F3} | {onTest.WeightedIntervalScore:F4} | {jagged} | {BandJaggedness(t, horizon, outputs):F4} |";
    }

    /// <summary>Per (step, column): the conformal rank over the scores of the steps within ±radius (same column).</summary>
    private static float[] PooledOffsets(ScoredWindows windows, int horizon, int outputs, double coverage, int radius)
    {
        int q = s_levels.Length;
        var offsets = new float[horizon * outputs];
        for (int step = 0; step < horizon; step++)
        {
            for (int o = 0; o < outputs; o++)
            {
                var scores = new List<float>();
                for (int s = Math.Max(0, step - radius); s <= Math.Min(horizon - 1, step + radius); s++)
                    foreach (var (label, quantiles) in windows.Labels.Zip(windows.Quantiles))
                    {
                        float y = label[s * outputs + o];
                        scores.Add(Math.Max(quantiles[(s * q) * outputs + o] - y, y - quantiles[(s * q + q - 1) * outputs + o]));
                    }
                scores.Sort();
                int rank = Math.Min(scores.Count, (int)Math.Ceiling((scores.Count + 1) * coverage - 1e-9));
                offsets[step * outputs + o] = scores[rank - 1];
            }
        }
        return offsets;
    }

    /// <summary>Per column: the least-squares non-decreasing fit over the steps (pool-adjacent-violators, equal weights).</summary>
    private static float[] Monotone(float[] offsets, int horizon, int outputs)
    {
        var fitted = new float[offsets.Length];
        for (int o = 0; o < outputs; o++)
        {
            var blocks = new List<(double Sum, int Count)>();
            for (int step = 0; step < horizon; step++)
            {
                blocks.Add((offsets[step * outputs + o], 1));
                while (blocks.Count > 1 && blocks[^2].Sum / blocks[^2].Count > blocks[^1].Sum / blocks[^1].Count)
                {
                    var (sum, count) = blocks[^1];
                    blocks.RemoveAt(blocks.Count - 1);
                    blocks[^1] = (blocks[^1].Sum + sum, blocks[^1].Count + count);
                }
            }
            int at = 0;
            foreach (var (sum, count) in blocks)
                for (int k = 0; k < count; k++)
                    fitted[(at++) * outputs + o] = (float)(sum / count);
        }
        return fitted;
    }

    private static double[] StepCoverage(ScoredWindows windows, List<float[]> quantiles, int horizon, int outputs)
    {
        int q = s_levels.Length;
        var coverage = new double[horizon];
        for (int step = 0; step < horizon; step++)
        {
            long inside = 0, count = 0;
            for (int row = 0; row < windows.Labels.Count; row++)
                for (int o = 0; o < outputs; o++)
                {
                    float y = windows.Labels[row][step * outputs + o];
                    inside += y >= quantiles[row][(step * q) * outputs + o] && y <= quantiles[row][(step * q + q - 1) * outputs + o] ? 1 : 0;
                    count++;
                }
            coverage[step] = inside / (double)count;
        }
        return coverage;
    }

    /// <summary>Mean over windows, columns and steps of |width(h + 1) − width(h)| of the outermost pair.</summary>
    private static double BandJaggedness(List<float[]> quantiles, int horizon, int outputs)
    {
        int q = s_levels.Length;
        double sum = 0;
        foreach (float[] row in quantiles)
            for (int o = 0; o < outputs; o++)
                for (int step = 1; step < horizon; step++)
                {
                    double Width(int h) => row[(h * q + q - 1) * outputs + o] - row[(h * q) * outputs + o];
                    sum += Math.Abs(Width(step) - Width(step - 1));
                }
        return sum / (quantiles.Count * outputs * (horizon - 1.0));
    }

    private static double Jaggedness(float[] offsets, int horizon, int outputs)
    {
        double sum = 0;
        for (int step = 1; step < horizon; step++)
            for (int o = 0; o < outputs; o++)
                sum += Math.Abs(offsets[step * outputs + o] - offsets[(step - 1) * outputs + o]);
        return sum / ((horizon - 1) * outputs);
    }
}
