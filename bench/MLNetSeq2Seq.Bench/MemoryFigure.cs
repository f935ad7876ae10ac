using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using TorchSharp;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Figure 4: (a) peak RSS of a Fit at effective batch B as one micro-batch of B versus B / m micro-batches of m,
/// each in a fresh child process, alternating; (b) live TorchSharp tensors on the training thread after each epoch.
/// </summary>
internal static class MemoryFigure
{
    public static void Run(BenchArguments arguments)
    {
        RunPeakMemory(arguments);
        RunLiveTensors(arguments);
    }

    private static void RunPeakMemory(BenchArguments a)
    {
        int whole = a.MemoryBatch, micro = a.MemoryMicro;
        Report.Heading($"Figure 4a: peak RSS at L = {a.MemoryLength}, effective batch {whole}: 1×{whole} vs {whole / micro}×{micro} micro-batches (fresh process each)");
        var results = new Dictionary<int, List<Dictionary<string, double>>> { [whole] = new(), [micro] = new() };
        for (int round = 0; round < a.MemoryPairs; round++)
        {
            int[] order = round % 2 == 0 ? new[] { whole, micro } : new[] { micro, whole };
            foreach (int size in order)
            {
                var values = RunChild(a.MemoryLength, whole, whole, size);
                results[size].Add(values);
                Report.Progress($"micro-batch {size}: before Fit {values["before_kib"] / 1024:F0} MiB, peak {values["peak_kib"] / 1024:F0} MiB, "
                    + $"epoch {values["epoch_s"]:F2} s ({values["steps"]} step)");
            }
        }
        Report.Table(new[] { "micro-batches", "processes", "RSS before Fit, MiB", "peak RSS (VmHWM), MiB", "peak − before, MiB", "epoch s" },
            results.Select(kv => (IReadOnlyList<string>)new[]
            {
                kv.Key == whole ? $"1×{whole}" : $"{whole / micro}×{micro}", kv.Value.Count.ToString(),
                Summary.Of(kv.Value.Select(v => v["before_kib"] / 1024)).Format("F0"), Summary.Of(kv.Value.Select(v => v["peak_kib"] / 1024)).Format("F0"),
                Summary.Of(kv.Value.Select(v => (v["peak_kib"] - v["before_kib"]) / 1024)).Format("F0"), Summary.Of(kv.Value.Select(v => v["epoch_s"])).Format("F2"),
            }));
        var ratios = results[whole].Zip(results[micro], (w, m) => (w["peak_kib"] - w["before_kib"]) / (m["peak_kib"] - m["before_kib"]));
        Report.Line($"training memory (peak − before) 1×{whole} ÷ {whole / micro}×{micro}: {Summary.Of(ratios).Format("F2")} (per pair; {whole / micro} if it followed the micro-batch exactly).");
        Report.Line($"Each process: {whole} rows = one optimizer step, MaxEpochs = 1; 'before' is VmRSS after generating the data and loading libtorch.");
    }

    private static void RunLiveTensors(BenchArguments a)
    {
        var workload = new Workload(a.LiveLength, a.LiveRows);
        Report.Heading($"Figure 4b: live TorchSharp tensors on the training thread after each epoch ({workload}, {a.LiveEpochs} epochs)");
        var rows = workload.GenerateRows();
        long beforeFit = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        ComponentFit fit = ComponentFit.Run(workload, workload.ToDataView(new Microsoft.ML.MLContext(seed: Workload.Seed), rows), a.LiveEpochs);
        long afterFit = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Report.Table(new[] { "epoch", "live tensors", "epoch s" },
            fit.LiveTensorsAfterEpoch.Select((count, i) => (IReadOnlyList<string>)new[] { (i + 1).ToString(), count.ToString(), Report.F(fit.Epochs[i].Seconds, "F2") }));
        var marks = new[] { 2, 5, 10 }.Where(e => e <= fit.LiveTensorsAfterEpoch.Count).ToList();
        bool constant = fit.LiveTensorsAfterEpoch.Skip(1).Distinct().Count() == 1;
        Report.Line($"after epochs {string.Join(", ", marks)}: {string.Join(", ", marks.Select(e => fit.LiveTensorsAfterEpoch[e - 1]))}; "
            + $"constant from epoch 2 on: {(constant ? "yes" : "NO")}. Before Fit {beforeFit}, after Fit (model disposed) {afterFit}.");
    }

    private static Dictionary<string, double> RunChild(int length, int rows, int batch, int micro)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        start.FileName = self;
        foreach (string argument in new[] { MemoryChild.Flag, length.ToString(), rows.ToString(), batch.ToString(), micro.ToString() })
            start.ArgumentList.Add(argument);
        // Children start from .NET's copy of the environment, which does not hold what setenv changed.
        if (OpenMpWaitPolicy.Current() is string policy)
            start.Environment[OpenMpWaitPolicy.Variable] = policy;
        using Process child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"Memory child exited with {child.ExitCode}:\n{stdout}\n{stderr.Result}");
        return MemoryChild.Parse(stdout);
    }
}
