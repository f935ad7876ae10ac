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
/// <c>--blend</c>: would a forecast combination help where the baseline comparison's choice and the test windows
/// disagree? For each horizon it trains the forecasting recipe's network alone (BaselineComparison = Warn) and takes the
/// comparison's linear forecaster (a Fit whose network cannot train, so that Select keeps the linear forecaster with
/// the cross-validated lookback), then scores w·network + (1 − w)·linear on the validation windows (what a selection
/// would see) and on every test window (reported only). <c>--data illness [--lookback 104]</c> as for --accuracy.
/// A measurement for a possible product feature; nothing here is in the product.
/// </summary>
internal static class BlendRun
{
    public const string Flag = "--blend";

    private static readonly double[] s_weights = { 0, 0.25, 0.5, 0.75, 1 };

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        bool illness = args.SkipWhile(a => a != "--data").Skip(1).FirstOrDefault() == "illness";
        string csv = Path.Combine("..", "shared", "data", illness ? "national_illness.csv" : "ETTh2.csv");
        int[] horizons = illness ? new[] { 24, 36, 48, 60 } : new[] { 24, 96, 192, 336 };
        int lookback = illness ? 36 : 96;
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--horizons") horizons = args[i + 1].Split(',').Select(int.Parse).ToArray();
            if (args[i] == "--lookback") lookback = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        }
        if (!File.Exists(csv))
        {
            Console.Error.WriteLine($"{csv} not found: the blend run needs it (see ../shared/data/README.md).");
            return 2;
        }
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"# Blend: {(illness ? "national_illness" : "ETTh2")}, L = {lookback}; w·network + (1 − w)·linear, w = {string.Join(" / ", s_weights)}");
        Console.WriteLine();
        Console.WriteLine($"- started {DateTime.Now:yyyy-MM-dd HH:mm:ss}, machine: {MachineInfo.Describe()}, load average {MachineInfo.LoadAverage()}; seed 1");
        Console.WriteLine();
        Console.WriteLine("| H | validation MSE by w | best w on validation | test MSE by w | test MSE at that w ÷ linear | ÷ network | linear kind |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var ml = new MLContext(seed: 1);
        var (series, columns, protocol) = AccuracyRun.Load(ml, csv, illness);
        foreach (int horizon in horizons)
        {
            SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series,
                new SequenceWindowOptions { InputColumnNames = columns, InputLength = lookback, Horizon = horizon }, protocol);
            var networkOptions = new Seq2SeqForecastingOptions { ValidationSet = split.Validation, Seed = 1, BaselineComparison = BaselineComparison.Warn };
            using Seq2SeqTransformer network = ml.Forecasting.Seq2Seq(networkOptions).Fit(split.Train);
            // An untrainable network: the comparison keeps a baseline, the linear forecaster wherever it beats persistence.
            var linearOptions = new Seq2SeqForecastingOptions { ValidationSet = split.Validation, Seed = 1, MaxEpochs = 1, LearningRate = 1e-12, HiddenSize = 8 };
            using Seq2SeqTransformer linear = ml.Forecasting.Seq2Seq(linearOptions).Fit(split.Train);
            string linearKind = linear.TrainingHistory.Candidates.Single(c => c.Kept).Name;
            double[] validation = Mses(ml, network, linear, split.Validation), test = Mses(ml, network, linear, split.Test);
            int best = Array.IndexOf(validation, validation.Min());
            Console.WriteLine($"| {horizon} | {string.Join(" / ", validation.Select(v => v.ToString("F4")))} | {s_weights[best]} | {string.Join(" / ", test.Select(v => v.ToString("F4")))} "
                + $"| {test[best] / test[0]:F3} | {test[best] / test[^1]:F3} | {linearKind} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Total {clock.Elapsed.TotalMinutes:F1} min; load average at the end {MachineInfo.LoadAverage()}.");
        return 0;
    }

    // MSE of w·network + (1 − w)·linear over every value of every window, for each w.
    private static double[] Mses(MLContext ml, Seq2SeqTransformer network, Seq2SeqTransformer linear, IDataView windows)
    {
        float[][] labels = windows.GetColumn<float[]>("Label").ToArray();
        float[][] fromNetwork = network.Transform(windows).GetColumn<float[]>("Score").ToArray();
        float[][] fromLinear = linear.Transform(windows).GetColumn<float[]>("Score").ToArray();
        return s_weights.Select(w =>
        {
            double sum = 0;
            long count = 0;
            for (int r = 0; r < labels.Length; r++)
                for (int i = 0; i < labels[r].Length; i++)
                {
                    double error = w * fromNetwork[r][i] + (1 - w) * fromLinear[r][i] - labels[r][i];
                    sum += error * error;
                    count++;
                }
            return sum / count;
        }).ToArray();
    }
}
