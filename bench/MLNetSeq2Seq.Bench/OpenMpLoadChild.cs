using System;
using System.Globalization;
using System.Linq;
using TorchSharp;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// The child-process side of the loaded-machine figure: one component Fit of several epochs in a fresh process, whose
/// OpenMP policy is whatever the parent put in its environment plus, for "libgomp", the library's switch turned off.
/// It loads libtorch through the library (TorchRuntime.EnsureLoaded) the way a user's first Fit does, and prints one
/// "OMPLOAD settings=… threads=… epochs=s1,s2,… cpu=…" line.
/// </summary>
internal static class OpenMpLoadChild
{
    public const string Flag = "--omp-load-child";

    /// <summary>Arguments: policy epochs length rows.</summary>
    public static int Run(string[] args)
    {
        string policy = args[0];
        int epochs = Int(args[1]), length = Int(args[2]), rows = Int(args[3]);
        if (policy == OpenMpPolicyUnderTest.LibgompDefault)
            TorchRuntime.BoundOpenMpSpinning = false;
        TorchRuntime.EnsureLoaded();
        var workload = new Workload(length, rows);
        var view = workload.ToDataView(new Microsoft.ML.MLContext(seed: Workload.Seed), workload.GenerateRows());
        ComponentFit fit = ComponentFit.Run(workload, view, epochs);
        string seconds = string.Join(",", fit.Epochs.Select(e => e.Seconds.ToString("F3", CultureInfo.InvariantCulture)));
        Console.WriteLine(FormattableString.Invariant(
            $"OMPLOAD threads={torch.get_num_threads()} epochs={seconds} cpu={fit.CpuSecondsAtEpochEnd[^1]:F2} settings={TorchRuntime.OpenMpSettings}"));
        return 0;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
