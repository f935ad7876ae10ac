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
/// How far the lookback alone carries the closed-form linear forecaster (--lookbacks): ETTh2 on the standard protocol
/// (the same test targets for every lookback, all test windows), for each horizon and each window length L, the
/// closed-form linear forecaster and persistence fitted on the training windows and scored on the validation and the
/// test windows (EvaluateSeq2SeqBaselines); then the L with the best validation MSE, and its test MSE. No network is
/// trained: this is the part of lookback selection that costs one pass over the rows. Usage:
/// <c>--lookbacks [--horizons 96,192,336,720] [--lengths 96,192,336,720] [--csv PATH]</c>.
/// </summary>
internal static class LookbackRun
{
    public const string Flag = "--lookbacks";

    // Published ETTh2 mean-over-horizon MSEs the issue compares with (all test windows, long lookbacks).
    private const string Published = "FITS (L = 720) 0.335, xPatch 0.341, SparseTSF 0.344, CycleNet 0.346, SegRNN (L = 720) 0.366";

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string csv = Path.Combine("..", "shared", "data", "ETTh2.csv");
        int[] horizons = { 96, 192, 336, 720 }, lengths = { 96, 192, 336, 720 };
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--csv": csv = args[i + 1]; break;
                case "--horizons": horizons = args[i + 1].Split(',').Select(int.Parse).ToArray(); break;
                case "--lengths": lengths = args[i + 1].Split(',').Select(int.Parse).ToArray(); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (!File.Exists(csv))
        {
            Console.Error.WriteLine($"{csv} not found: the lookback run needs ETTh2.csv (see ../shared/data/README.md); pass --csv PATH.");
            return 2;
        }
        var clock = Stopwatch.StartNew();
        Console.WriteLine("# Lookback: the closed-form linear forecaster on ETTh2 (standard split, train-only z-scores, 7 → 7 columns)");
        Console.WriteLine();
        Console.WriteLine($"- started {DateTime.Now:yyyy-MM-dd HH:mm:ss}, machine: {MachineInfo.Describe()}, load average {MachineInfo.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| H | L | validation linear MSE | test linear MSE / MAE | test persistence MSE | test windows |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var ml = new MLContext(seed: 1);
        string[] columns = { "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT" };
        IDataView series = ml.Data.LoadFromTextFile(csv, columns.Select((name, i) => new TextLoader.Column(name, DataKind.Single, i + 1)).ToArray(),
            separatorChar: ',', hasHeader: true);
        var chosen = new List<(int Horizon, int Length, double Test)>();
        var byLength = lengths.ToDictionary(l => l, _ => new List<double>());
        foreach (int horizon in horizons)
        {
            (int Length, double Validation, double Test)? best = null;
            foreach (int length in lengths)
            {
                var windows = new SequenceWindowOptions { InputColumnNames = columns, InputLength = length, Horizon = horizon };
                SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series, windows, ChronologicalSplit.EttHourly);
                ForecastBaselineMetrics validation = ml.Forecasting.EvaluateSeq2SeqBaselines(split.Train, split.Validation);
                ForecastBaselineMetrics test = ml.Forecasting.EvaluateSeq2SeqBaselines(split.Train, split.Test);
                long testWindows = split.Test.GetRowCount() ?? split.Test.GetColumn<float[]>("Label").LongCount();
                Console.WriteLine($"| {horizon} | {length} | {validation.Linear.MeanSquaredError:F4} | {test.Linear.MeanSquaredError:F4} / {test.Linear.MeanAbsoluteError:F4} | {test.Persistence.MeanSquaredError:F4} | {testWindows} |");
                byLength[length].Add(test.Linear.MeanSquaredError);
                if (best is null || validation.Linear.MeanSquaredError < best.Value.Validation)
                    best = (length, validation.Linear.MeanSquaredError, test.Linear.MeanSquaredError);
            }
            chosen.Add((horizon, best!.Value.Length, best.Value.Test));
        }
        Console.WriteLine();
        Console.WriteLine("| H | L chosen on validation | its test MSE |");
        Console.WriteLine("|---|---|---|");
        foreach (var (horizon, length, test) in chosen)
            Console.WriteLine($"| {horizon} | {length} | {test:F4} |");
        Console.WriteLine();
        Console.WriteLine($"Mean test MSE over H = {string.Join("/", horizons)}: chosen on validation {chosen.Average(c => c.Test):F4}; "
            + string.Join("; ", lengths.Select(l => $"L = {l} for all {byLength[l].Average():F4}")) + $". Published: {Published}.");
        Console.WriteLine($"Total {clock.Elapsed.TotalMinutes:F1} min; load average at the end {MachineInfo.LoadAverage()}.");
        return 0;
    }
}
