using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Figures 1 (fit overhead), 2 (data preparation) and 5 (scaling), from one set of alternated component/raw pairs.
/// Configurations take turns round by round (round r runs one pair of every configuration that still needs one),
/// so slow spells of the shared machine spread over all of them instead of hitting one.
/// </summary>
internal sealed class TrainingFigures
{
    private readonly BenchArguments _arguments;

    public TrainingFigures(BenchArguments arguments) => _arguments = arguments;

    public void Run()
    {
        var configurations = new List<(Workload Workload, int Pairs)>();
        for (int i = 0; i < _arguments.Lengths.Length; i++)
            configurations.Add((new Workload(_arguments.Lengths[i], _arguments.Rows), _arguments.PairsFor(i)));
        bool scaling = _arguments.Figures.Contains(5) && _arguments.ScaleRows != _arguments.Rows;
        if (scaling)
            configurations.Add((new Workload(_arguments.Lengths.Min(), _arguments.ScaleRows), _arguments.ScalePairs));

        Report.Heading("Figures 1, 2, 5: training pairs (component Fit with MaxEpochs = 1 vs raw TorchSharp epoch)");
        var comparisons = configurations.Select(c => (Comparison: new TrainingComparison(c.Workload), c.Pairs)).ToList();
        try
        {
            int rounds = configurations.Max(c => c.Pairs);
            for (int round = 0; round < rounds; round++)
            {
                foreach (var (comparison, pairs) in comparisons.Where(c => c.Pairs > round))
                {
                    TrainingPair p = comparison.RunPair(round);
                    Report.Progress($"{comparison.Workload} pair {round + 1}/{pairs} ({(p.ComponentFirst ? "component first" : "raw first")}): "
                        + $"component {Report.F(p.ComponentEpochSeconds, "F2")} s (Fit {Report.F(p.ComponentFitSeconds, "F2")} s, CPU {Report.F(p.ComponentCpuSeconds, "F2")} s), "
                        + $"raw {Report.F(p.RawEpochSeconds, "F2")} s (CPU {Report.F(p.RawCpuSeconds, "F2")} s), ratio {Report.F(p.EpochRatio)}, "
                        + $"CPU ratio {Report.F(p.CpuRatio)}, preparation {Report.Percent(p.PreparationShare)}, loss {p.ComponentLoss:G9} vs {p.RawLoss:G9}");
                }
            }
            var main = comparisons.Where(c => c.Comparison.Workload.RowCount == _arguments.Rows).Select(c => c.Comparison).ToList();
            if (_arguments.Figures.Contains(1))
                PrintFitOverhead(comparisons.Select(c => c.Comparison).ToList());
            if (_arguments.Figures.Contains(2))
                PrintPreparation(comparisons.Select(c => c.Comparison).ToList());
            if (_arguments.Figures.Contains(5))
                PrintScaling(main, scaling ? comparisons[^1].Comparison : null);
        }
        finally
        {
            foreach (var (comparison, _) in comparisons)
                comparison.Dispose();
        }
    }

    /// <summary>Untimed epochs on a small workload so both sides' code is jitted and tiered up before any figure.</summary>
    public static void WarmUp(int epochs)
    {
        if (epochs <= 0)
            return;
        var workload = new Workload(24, 512);
        using var comparison = new TrainingComparison(workload);
        comparison.WarmUp(epochs);
    }

    private static void PrintFitOverhead(IReadOnlyList<TrainingComparison> comparisons)
    {
        Report.Heading("Figure 1: fit overhead, component epoch ÷ raw epoch (target ≤ 1.05)");
        Report.Table(
            new[] { "L", "N", "pairs", "component epoch s", "raw epoch s", "ratio (wall)", "ratio (CPU)", "ratio of minima", "loss rel. diff (max)", "target" },
            comparisons.Select(c =>
            {
                var pairs = c.Pairs;
                Summary ratio = Summary.Of(pairs.Select(p => p.EpochRatio));
                double minimaRatio = pairs.Min(p => p.ComponentEpochSeconds) / pairs.Min(p => p.RawEpochSeconds);
                return (IReadOnlyList<string>)new[]
                {
                    c.Workload.InputLength.ToString(), c.Workload.RowCount.ToString(), pairs.Count.ToString(),
                    Summary.Of(pairs.Select(p => p.ComponentEpochSeconds)).Format("F2"), Summary.Of(pairs.Select(p => p.RawEpochSeconds)).Format("F2"),
                    ratio.Format(), Summary.Of(pairs.Select(p => p.CpuRatio)).Format(), Report.F(minimaRatio),
                    pairs.Max(p => p.LossRelativeDifference).ToString("G2"), Report.Verdict(ratio.Median <= 1.05),
                };
            }));
        Report.Line("ratio (wall): median (min–max) over pairs of EpochSummary.Seconds ÷ the raw loop's epoch stopwatch. ratio (CPU): process CPU seconds,");
        Report.Line("component from Fit start to the end of epoch 1 (includes figure 2's data preparation), raw from model construction to the end");
        Report.Line("of epoch 1. ratio of minima: fastest component epoch ÷ fastest raw epoch (noise only ever adds time).");
    }

    private static void PrintPreparation(IReadOnlyList<TrainingComparison> comparisons)
    {
        Report.Heading("Figure 2: data preparation, (Fit − epoch) ÷ epoch (target ≤ 5 %)");
        Report.Table(
            new[] { "L", "N", "Fits", "Fit − epoch, s", "epoch s", "share", "target" },
            comparisons.Select(c =>
            {
                Summary share = Summary.Of(c.Pairs.Select(p => p.PreparationShare));
                return (IReadOnlyList<string>)new[]
                {
                    c.Workload.InputLength.ToString(), c.Workload.RowCount.ToString(), c.Pairs.Count.ToString(),
                    Summary.Of(c.Pairs.Select(p => p.ComponentFitSeconds - p.ComponentEpochSeconds)).Format(),
                    Summary.Of(c.Pairs.Select(p => p.ComponentEpochSeconds)).Format("F2"),
                    Report.Percent(share), Report.Verdict(share.Median <= 0.05),
                };
            }));
        Report.Line("Fit − epoch: a stopwatch around Fit (MaxEpochs = 1, no validation) minus EpochSummary.Seconds. It holds reading the IDataView");
        Report.Line("into tensors, option/schema checks, building the network, optimizer and best-weights copy, and the transformer.");
    }

    private static void PrintScaling(IReadOnlyList<TrainingComparison> byLength, TrainingComparison? largerN)
    {
        Report.Heading("Figure 5: scaling of epoch time (log-log slopes; 1 = linear)");
        var rows = new List<IReadOnlyList<string>>();
        foreach (TrainingComparison c in byLength.Concat(largerN is null ? Array.Empty<TrainingComparison>() : new[] { largerN }))
        {
            rows.Add(new[]
            {
                c.Workload.InputLength.ToString(), c.Workload.RowCount.ToString(), c.Pairs.Count.ToString(),
                Summary.Of(c.Pairs.Select(p => p.ComponentEpochSeconds)).Format("F2"), Summary.Of(c.Pairs.Select(p => p.RawEpochSeconds)).Format("F2"),
                Summary.Of(c.Pairs.Select(p => p.ComponentCpuSeconds)).Format("F2"), Summary.Of(c.Pairs.Select(p => p.RawCpuSeconds)).Format("F2"),
            });
        }
        Report.Table(new[] { "L", "N", "pairs", "component epoch s", "raw epoch s", "component CPU s", "raw CPU s" }, rows);

        if (byLength.Count >= 2)
        {
            Report.Line($"vs L at N = {byLength[0].Workload.RowCount} (sizes {string.Join(", ", byLength.Select(c => c.Workload.InputLength))}):");
            PrintSlopes(byLength, c => c.Workload.InputLength);
        }
        if (largerN is not null)
        {
            TrainingComparison smallerN = byLength.First(c => c.Workload.InputLength == largerN.Workload.InputLength);
            Report.Line($"vs N at L = {largerN.Workload.InputLength} (N {smallerN.Workload.RowCount} → {largerN.Workload.RowCount}):");
            PrintSlopes(new[] { smallerN, largerN }, c => c.Workload.RowCount);
        }
        Report.Line("Slopes of the medians (all pairs), and per round (configurations measured in the same round, minutes apart): median (min–max).");
        Report.Line("In L the decoder's fixed 24 steps make the slope < 1 at short L; a slope above 1 would mean a superlinear term.");
    }

    private static void PrintSlopes(IReadOnlyList<TrainingComparison> series, Func<TrainingComparison, int> size)
    {
        foreach (var (name, seconds) in new (string, Func<TrainingPair, double>)[]
        {
            ("component wall", p => p.ComponentEpochSeconds), ("raw wall", p => p.RawEpochSeconds),
            ("component CPU", p => p.ComponentCpuSeconds), ("raw CPU", p => p.RawCpuSeconds),
        })
        {
            var medians = series.Select(c => ((double)size(c), Summary.Of(c.Pairs.Select(seconds)).Median)).ToList();
            int rounds = series.Min(c => c.Pairs.Count);
            var perRound = Enumerable.Range(0, rounds)
                .Select(r => LogLogSlope.Fit(series.Select(c => ((double)size(c), seconds(c.Pairs[r]))).ToList()));
            string local = series.Count > 2
                ? "; local " + string.Join(", ", medians.Zip(medians.Skip(1), (a, b) => $"{a.Item1}→{b.Item1}: {Report.F(LogLogSlope.Fit(new[] { a, b }), "F2")}"))
                : "";
            Report.Line($"  {name,-15} slope of medians {Report.F(LogLogSlope.Fit(medians), "F2")}{local}; per round {Summary.Of(perRound).Format("F2")}");
        }
        Report.Line("");
    }
}
