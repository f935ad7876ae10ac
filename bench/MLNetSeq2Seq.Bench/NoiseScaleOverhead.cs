using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// The cost of the gradient noise scale (Seq2SeqOptions.GradientNoiseScaleEverySteps) on Fit's epochs, workload W1:
/// the same Fit with the estimator off and on, alternated in pairs (the order swapped every pair) in one process, epoch
/// seconds from TrainingHistory (data reading excluded) and the process's CPU seconds over the whole Fit (data reading
/// included: the same on both sides; less disturbed than wall time when other processes share the cores). Two cases: one micro-batch per step, where a sampled step runs
/// as two halves; and micro-batches of a quarter of the batch (only the gradient reads are added); both sampled every
/// <c>--every</c> steps. Reports medians and the ratio on ÷ off, with the load average before and after.
/// Usage: <c>--noise-scale-overhead [--pairs 5] [--rows 4096] [--epochs 2] [--every 10] [--length 24] [--case split|micro|both]</c>.
/// </summary>
internal static class NoiseScaleOverhead
{
    public const string Flag = "--noise-scale-overhead";

    public static int Run(string[] args)
    {
        int pairs = IntArgument(args, "--pairs", 5), rows = IntArgument(args, "--rows", 4096), epochs = IntArgument(args, "--epochs", 2);
        int every = IntArgument(args, "--every", 10), length = IntArgument(args, "--length", 24);
        int at = Array.IndexOf(args, "--case");
        string cases = at >= 0 && at + 1 < args.Length ? args[at + 1] : "both"; // split | micro | both
        Console.WriteLine($"# Gradient noise scale overhead: W1 at L = {length}, N = {rows}, batch {Workload.DefaultBatchSize}, {epochs} epochs per Fit, "
            + $"{pairs} alternated pairs; machine {MachineInfo.Describe()}; load at start {MachineInfo.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| case | sampled | epoch s, off (median) | epoch s, on (median) | on ÷ off, wall: median of pair ratios (min–max) | on ÷ off, process CPU s (min–max) | B_simple at the end |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, micro, sampleEvery) in new (string, int?, int)[]
        {
            ("one micro-batch per step (sampled steps split in halves)", null, every),
            ($"micro-batches of {Workload.DefaultBatchSize / 4}", Workload.DefaultBatchSize / 4, every),
        }.Where((_, index) => cases == "both" || (cases == "split" ? index == 0 : index == 1)))
        {
            var workload = new Workload(length, rows, MicroBatchSize: micro);
            var ml = new MLContext(seed: Workload.Seed);
            IDataView data = workload.ToDataView(ml, workload.GenerateRows());
            var off = new List<double>();
            var on = new List<double>();
            var cpuOff = new List<double>();
            var cpuOn = new List<double>();
            double? noiseScale = null;
            Fit(workload, data, 1, null); // warm-up, untimed
            for (int pair = 0; pair < pairs; pair++)
            {
                foreach (bool measured in pair % 2 == 0 ? new[] { false, true } : new[] { true, false })
                {
                    double cpuAtStart = CpuClock.Seconds();
                    TrainingHistory history = Fit(workload, data, epochs, measured ? sampleEvery : null);
                    (measured ? cpuOn : cpuOff).Add(CpuClock.Seconds() - cpuAtStart);
                    (measured ? on : off).Add(history.Epochs.Sum(e => e.Seconds) / history.Epochs.Count);
                    if (measured)
                        noiseScale = history.GradientNoiseScale[^1].SimpleNoiseScale;
                }
            }
            var wallRatios = on.Zip(off, (a, b) => a / b).ToList();
            var cpuRatios = cpuOn.Zip(cpuOff, (a, b) => a / b).ToList();
            Console.WriteLine($"| {name} | every {sampleEvery} step{(sampleEvery == 1 ? "" : "s")} | {Median(off):F2} | {Median(on):F2} | {Median(wallRatios):F3} ({wallRatios.Min():F3}–{wallRatios.Max():F3}) | {Median(cpuRatios):F3} ({cpuRatios.Min():F3}–{cpuRatios.Max():F3}) | "
                + $"{(noiseScale is double b ? b.ToString("F0") : "n/a")} |");
        }
        Console.WriteLine();
        Console.WriteLine($"load at end {MachineInfo.LoadAverage()}");
        return 0;
    }

    private static TrainingHistory Fit(Workload workload, IDataView data, int epochs, int? every)
    {
        var ml = new MLContext(seed: Workload.Seed);
        Seq2SeqOptions options = workload.ComponentOptions(epochs, progress: null);
        options.GradientNoiseScaleEverySteps = every;
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(data);
        return model.TrainingHistory;
    }

    private static int IntArgument(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : fallback;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
