using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// The child-process side of figure 4: one component Fit (one epoch, one optimizer step when rows = batch) in a
/// fresh process, reporting VmRSS before Fit, VmHWM (peak) after, and the epoch time, as one "MEMORY key=value" line.
/// </summary>
internal static class MemoryChild
{
    public const string Flag = "--memory-child";

    /// <summary>Arguments: length rows batch micro.</summary>
    public static int Run(string[] args)
    {
        int length = int.Parse(args[0], CultureInfo.InvariantCulture), rows = int.Parse(args[1], CultureInfo.InvariantCulture);
        int batch = int.Parse(args[2], CultureInfo.InvariantCulture), micro = int.Parse(args[3], CultureInfo.InvariantCulture);
        var workload = new Workload(length, rows, batch, micro);
        List<SequenceRow> data = workload.GenerateRows();
        var view = workload.ToDataView(new Microsoft.ML.MLContext(seed: Workload.Seed), data);
        TrainingComparison.Quiesce();
        long before = ProcStatus.ResidentKiB();
        ComponentFit fit = ComponentFit.Run(workload, view, maxEpochs: 1);
        long peak = ProcStatus.PeakResidentKiB();
        Console.WriteLine(FormattableString.Invariant(
            $"MEMORY before_kib={before} peak_kib={peak} after_kib={ProcStatus.ResidentKiB()} epoch_s={fit.EpochSeconds:F3} steps={fit.Epochs.Sum(e => e.OptimizerSteps)}"));
        GC.KeepAlive(data);
        return 0;
    }

    public static Dictionary<string, double> Parse(string output)
    {
        string line = output.Split('\n').LastOrDefault(l => l.StartsWith("MEMORY ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The memory child printed no MEMORY line:\n{output}");
        return line.Substring("MEMORY ".Length).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('='))
            .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture));
    }
}
