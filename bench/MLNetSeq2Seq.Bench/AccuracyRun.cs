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
/// The accuracy run (--accuracy): ETTh2 standard protocol (train rows [0, 8640), validation targets [8640, 11520), test
/// targets [11520, 14400), train-only z-scores), L = 96, all seven columns in and out, for each horizon the
/// <c>mlContext.Forecasting.Seq2Seq</c> defaults next to persistence and the closed-form linear baseline on the same
/// test windows. Options after the flag override the defaults, to try recipes: --hidden, --epochs, --patience, --lr,
/// --batch, --dropout, --segment, --schedule, --normalization, --channel-independent, --loss, --family, --horizons.
/// </summary>
internal static class AccuracyRun
{
    public const string Flag = "--accuracy";

    // Published ETTh2, L = 96 (MSE, MAE): SegRNN (lss-1138/SegRNN README) and iTransformer (its paper, MSE).
    private static readonly Dictionary<int, (double Mse, double Mae)> s_segRnn = new() { [96] = (0.278, 0.335), [192] = (0.359, 0.389), [336] = (0.421, 0.436), [720] = (0.432, 0.455) };
    private static readonly Dictionary<int, double> s_iTransformer = new() { [96] = 0.297, [192] = 0.380, [336] = 0.428, [720] = 0.427 };

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string csv = Path.Combine("..", "shared", "data", "ETTh2.csv");
        int[] horizons = { 24, 96, 192, 336, 720 };
        int seed = 1;
        var overrides = new List<Action<Seq2SeqOptions>>();
        var settings = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--csv": csv = Value(); break;
                case "--horizons": horizons = Value().Split(',').Select(int.Parse).ToArray(); break;
                case "--seed": seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                default:
                    string value = Value();
                    settings.Add($"{name} {value}");
                    overrides.Add(Override(name, value));
                    break;
            }
        }
        if (!File.Exists(csv))
        {
            Console.Error.WriteLine($"{csv} not found: the accuracy run needs ETTh2.csv (see ../shared/data/README.md); pass --csv PATH.");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        Console.WriteLine("# Accuracy: ETTh2, L = 96, 7 → 7 columns, standard split, train-only z-scores");
        Console.WriteLine();
        Console.WriteLine($"- started {DateTime.Now:yyyy-MM-dd HH:mm:ss}, machine: {MachineInfo.Describe()}, load average {MachineInfo.LoadAverage()}");
        Console.WriteLine($"- model: mlContext.Forecasting.Seq2Seq defaults{(settings.Count == 0 ? "" : ", overridden: " + string.Join(", ", settings))}, seed {seed}");
        Console.WriteLine();
        Console.WriteLine("| H | model MSE | model MAE | persistence MSE | persistence MAE | linear MSE | linear MAE | SegRNN MSE / MAE (published) | iTransformer MSE (published) | kept epoch / run | seconds |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        var ml = new MLContext(seed: seed);
        IDataView series = ml.Data.LoadFromTextFile(csv, new[]
        {
            new TextLoader.Column("HUFL", DataKind.Single, 1), new TextLoader.Column("HULL", DataKind.Single, 2),
            new TextLoader.Column("MUFL", DataKind.Single, 3), new TextLoader.Column("MULL", DataKind.Single, 4),
            new TextLoader.Column("LUFL", DataKind.Single, 5), new TextLoader.Column("LULL", DataKind.Single, 6),
            new TextLoader.Column("OT", DataKind.Single, 7),
        }, separatorChar: ',', hasHeader: true);
        string[] columns = { "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT" };
        foreach (int horizon in horizons)
        {
            var windows = new SequenceWindowOptions { InputColumnNames = columns, InputLength = 96, Horizon = horizon };
            SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series, windows, ChronologicalSplit.EttHourly);
            var run = Stopwatch.StartNew();
            var options = new Seq2SeqForecastingOptions();
            options.ValidationSet = split.Validation;
            options.Seed = seed;
            options.Progress = new SynchronousProgress<EpochSummary>(e => Console.Error.WriteLine($"  H={horizon} {e}"));
            foreach (var apply in overrides)
                apply(options);
            using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(options).Fit(split.Train);
            SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(model.Transform(split.Test), "Label", "Score");
            double seconds = run.Elapsed.TotalSeconds;
            ForecastBaselineMetrics baselines = ml.Forecasting.EvaluateSeq2SeqBaselines(split.Train, split.Test);
            string segRnn = s_segRnn.TryGetValue(horizon, out var s) ? $"{s.Mse:F3} / {s.Mae:F3}" : "—";
            string iTransformer = s_iTransformer.TryGetValue(horizon, out double it) ? $"{it:F3}" : "—";
            Console.WriteLine($"| {horizon} | **{metrics.MeanSquaredError:F3}** | **{metrics.MeanAbsoluteError:F3}** | {baselines.Persistence.MeanSquaredError:F3} | {baselines.Persistence.MeanAbsoluteError:F3} "
                + $"| {baselines.Linear.MeanSquaredError:F3} | {baselines.Linear.MeanAbsoluteError:F3} | {segRnn} | {iTransformer} "
                + $"| {model.TrainingHistory.BestEpoch} / {model.TrainingHistory.Epochs.Count} | {seconds:F0} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Total {clock.Elapsed.TotalMinutes:F1} min; load average at the end {MachineInfo.LoadAverage()}.");
        return 0;
    }

    private static Action<Seq2SeqOptions> Override(string name, string value)
    {
        double number = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) ? n : double.NaN;
        return name switch
        {
            "--hidden" => o => o.HiddenSize = (int)number,
            "--epochs" => o => o.MaxEpochs = (int)number,
            "--patience" => o => o.EarlyStoppingPatience = (int)number,
            "--plateau-patience" => o => o.PlateauPatience = (int)number,
            "--lr" => o => o.LearningRate = number,
            "--batch" => o => o.BatchSize = (int)number,
            "--dropout" => o => o.Dropout = number,
            "--segment" => o => o.SegmentLength = (int)number,
            "--weight-decay" => o => o.WeightDecay = number,
            "--schedule" => o => o.Schedule = Enum.Parse<LearningRateSchedule>(value, ignoreCase: true),
            "--normalization" => o => o.InstanceNormalization = Enum.Parse<InstanceNormalization>(value, ignoreCase: true),
            "--channel-independent" => o => o.ChannelIndependent = bool.Parse(value),
            "--loss" => o => o.Loss = Enum.Parse<LossFunction>(value, ignoreCase: true),
            "--family" => o => o.Family = Enum.Parse<NetworkFamily>(value, ignoreCase: true),
            _ => throw new ArgumentException($"unknown option {name}"),
        };
    }
}
