using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// What each of the library's own step pieces costs, on figure 1's workload W1: the raw loop alone, then with the
/// library's clipping, its AdamW step and its divergence watch swapped in one at a time (cumulatively), and the
/// component's epoch — all from the same weights in the same row order, one epoch each, in one process. Every round
/// runs each variant once, the order rotated from round to round so a slow spell of the shared machine spreads over
/// all of them. Reports each variant's median epoch and the median over rounds of (variant ÷ raw) and of each added
/// piece's share, (variant − previous variant) ÷ raw. Whole epochs on a shared machine vary by more than these pieces
/// cost, so each piece is then also timed on its own (<see cref="LoopPieceTimings"/>): many calls on the same gradients,
/// the pieces interleaved, as a share of the raw loop's step. <c>--rounds 0</c> runs the piece timings only.
/// Usage: <c>--loop-parts [--lengths 24,96,336] [--rows 4096] [--rounds 5] [--warmup-epochs 4] [--piece-rounds 9]</c>.
/// </summary>
internal static class LoopPartsFigure
{
    public const string Flag = "--loop-parts";

    private static readonly (string Name, RawLoopParts? Parts)[] Variants =
    {
        ("raw loop (TorchSharp clip_grad_norm_ + AdamW)", RawLoopParts.None),
        ("+ library clipping", RawLoopParts.OwnClipping),
        ("+ library AdamW step", RawLoopParts.OwnClipping | RawLoopParts.OwnAdamWStep),
        ("+ divergence watch", RawLoopParts.OwnClipping | RawLoopParts.OwnAdamWStep | RawLoopParts.DivergenceWatch),
        ("component epoch (Fit, MaxEpochs = 1)", null),
    };

    public static int Run(string[] args)
    {
        int[] lengths = Argument(args, "--lengths", "24,96,336").Split(',').Select(int.Parse).ToArray();
        int rows = int.Parse(Argument(args, "--rows", "4096")), rounds = int.Parse(Argument(args, "--rounds", "5"));
        int warmUpEpochs = int.Parse(Argument(args, "--warmup-epochs", "4")), pieceRounds = int.Parse(Argument(args, "--piece-rounds", "9"));
        Console.WriteLine($"# Loop parts: W1 ({Workload.HiddenSize} hidden, GRU {Workload.LayerCount}+{Workload.LayerCount} layers, H {Workload.Horizon}, batch {Workload.DefaultBatchSize}), "
            + $"N = {rows}, {rounds} rounds per length; machine {MachineInfo.Describe()}; load at start {MachineInfo.LoadAverage()}; started {DateTime.Now:yyyy-MM-dd HH:mm:ss}");
        var clock = Stopwatch.StartNew();
        TrainingFigures.WarmUp(warmUpEpochs);
        foreach (int length in lengths)
        {
            var workload = new Workload(length, rows);
            if (rounds > 0)
                RunLength(workload, rounds);
            LoopPieceTimings.Run(workload, pieceRounds);
        }
        Console.WriteLine();
        Console.WriteLine($"Total {clock.Elapsed.TotalMinutes:F1} min; load at the end {MachineInfo.LoadAverage()}.");
        return 0;
    }

    private static void RunLength(Workload workload, int rounds)
    {
        List<SequenceRow> rows = workload.GenerateRows();
        IDataView view = workload.ToDataView(new MLContext(seed: Workload.Seed), rows);
        using Tensor features = torch.tensor(rows.SelectMany(r => r.Features).ToArray(), new long[] { workload.RowCount, workload.InputLength, Workload.FeatureCount });
        using Tensor labels = torch.tensor(rows.SelectMany(r => r.Label).ToArray(), new long[] { workload.RowCount, Workload.Horizon, Workload.OutputFeatureCount });
        var seconds = Variants.Select(_ => new List<double>()).ToArray();
        var losses = Variants.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < Variants.Length; k++)
            {
                int v = (k + round) % Variants.Length;
                TrainingComparison.Quiesce();
                (double epochSeconds, double loss) = Variants[v].Parts is RawLoopParts parts
                    ? RawEpoch(workload, parts, features, labels)
                    : ComponentEpoch(workload, view);
                seconds[v].Add(epochSeconds);
                losses[v].Add(loss);
            }
            Console.WriteLine($"  L={workload.InputLength} round {round + 1}/{rounds} (load {MachineInfo.LoadAverage()}): "
                + string.Join(", ", Variants.Select((variant, v) => $"{Report.F(seconds[v][round], "F2")} s")));
        }
        Console.WriteLine();
        Console.WriteLine($"## L = {workload.InputLength}, N = {workload.RowCount}");
        Console.WriteLine();
        Console.WriteLine("| variant | epoch s, median (min–max) | ÷ raw: median of rounds (min–max) | this piece: (variant − previous) ÷ raw, median of rounds | first-epoch loss |");
        Console.WriteLine("|---|---|---|---|---|");
        for (int v = 0; v < Variants.Length; v++)
        {
            List<double> raw = seconds[0];
            Summary ratio = Summary.Of(seconds[v].Select((s, r) => s / raw[r]));
            string piece = v == 0 ? "—" : Summary.Of(seconds[v].Select((s, r) => (s - seconds[v - 1][r]) / raw[r])).Format("+0.000;-0.000");
            Console.WriteLine($"| {Variants[v].Name} | {Summary.Of(seconds[v]).Format("F2")} | {ratio.Format()} | {piece} | {losses[v][0]:G9} |");
        }
        double spread = losses.Max(l => l[0]) / losses.Min(l => l[0]) - 1;
        Console.WriteLine();
        Console.WriteLine($"Largest relative difference of the first-epoch losses between variants: {spread:G2} (each piece computes the same step).");
    }

    private static (double Seconds, double Loss) RawEpoch(Workload workload, RawLoopParts parts, Tensor features, Tensor labels)
    {
        using var loop = new RawTrainingLoop(workload, parts);
        var clock = Stopwatch.StartNew();
        double loss = loop.RunEpoch(features, labels, epoch: 1);
        return (clock.Elapsed.TotalSeconds, loss);
    }

    private static (double Seconds, double Loss) ComponentEpoch(Workload workload, IDataView view)
    {
        ComponentFit fit = ComponentFit.Run(workload, view, maxEpochs: 1);
        return (fit.EpochSeconds, fit.Epochs[0].TrainLoss);
    }

    private static string Argument(string[] args, string name, string fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
