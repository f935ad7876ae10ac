using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Two Fits of workload W1 (L = 24) on two threads against the same Fit alone, without dropout and with dropout 0.3
/// (each network draws its masks from its own generator, Networks/Layers/ModuleRandom; no lock is shared). Reports median wall times, the ratio
/// "both in parallel ÷ two alone, one after the other" for each, and whether every parallel Fit gave exactly the
/// weights of the Fit alone. Usage: <c>--parallel-fits [--pairs 3] [--rows 2048] [--epochs 2]</c>.
/// </summary>
internal static class ParallelFits
{
    public const string Flag = "--parallel-fits";

    public static int Run(string[] args)
    {
        int pairs = IntArgument(args, "--pairs", 3), rows = IntArgument(args, "--rows", 2048), epochs = IntArgument(args, "--epochs", 2);
        var workload = new Workload(InputLength: 24, RowCount: rows);
        var ml = new MLContext(seed: Workload.Seed);
        IDataView data = workload.ToDataView(ml, workload.GenerateRows());
        Console.WriteLine($"# Parallel Fits: W1 {workload}, {epochs} epochs per Fit, {pairs} rounds; machine {MachineInfo.Describe()}; load at start {MachineInfo.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| dropout | one Fit alone, s (median) | two Fits in parallel, s (median) | parallel ÷ (2 × alone) | parallel weights = alone |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (double dropout in new[] { 0.0, 0.3 })
        {
            var alone = new List<double>();
            var together = new List<double>();
            bool identical = true;
            for (int round = 0; round < pairs; round++)
            {
                var (seconds, weights) = TimedFit(workload, data, epochs, dropout);
                alone.Add(seconds);
                using var start = new Barrier(2);
                var clock = Stopwatch.StartNew();
                var both = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
                {
                    start.SignalAndWait();
                    return TimedFit(workload, data, epochs, dropout).Weights;
                }, TaskCreationOptions.LongRunning)).ToArray();
                Task.WaitAll(both);
                together.Add(clock.Elapsed.TotalSeconds);
                identical &= both.All(t => t.Result.SequenceEqual(weights));
            }
            double a = Median(alone), t = Median(together);
            Console.WriteLine($"| {dropout} | {a:F2} | {t:F2} | {t / (2 * a):F3} | {(identical ? "yes" : "NO")} |");
        }
        Console.WriteLine();
        Console.WriteLine($"load at end {MachineInfo.LoadAverage()}");
        return 0;
    }

    private static (double Seconds, float[] Weights) TimedFit(Workload workload, IDataView data, int epochs, double dropout)
    {
        var ml = new MLContext(seed: Workload.Seed);
        Seq2SeqOptions options = workload.ComponentOptions(epochs, progress: null);
        options.Dropout = dropout;
        var clock = Stopwatch.StartNew();
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(data);
        double seconds = clock.Elapsed.TotalSeconds;
        // The scores of a few fixed rows stand for the weights: equal weights give bit-identical scores.
        float[] scores = model.Transform(data).GetColumn<float[]>(options.ScoreColumnName).Take(8).SelectMany(s => s).ToArray();
        return (seconds, scores);
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
