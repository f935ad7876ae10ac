using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>
/// What refusing a crafted file cost: the exception, the wall time, the managed bytes this thread allocated (exact, and
/// blind to other threads, so test classes running beside it do not disturb it: an array sized from a forged length
/// counts in full even if its pages are never touched) and the growth of the process's peak resident memory (catches
/// native allocations such as a network built from a forged architecture; meaningful in a child process that does
/// nothing else, where the peak is reset first).
/// </summary>
internal static class RefusalMeter
{
    public const long MaxGrowthBytes = 50L << 20;
    public static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(1);

    public sealed record Refusal(Exception? Error, TimeSpan Elapsed, long ManagedBytes, long PeakResidentGrowth)
    {
        public override string ToString() =>
            $"{Error?.GetType().Name ?? "no exception"} after {Elapsed.TotalMilliseconds:F0} ms, {ManagedBytes / 1024.0 / 1024:F2} MiB managed, "
            + $"{PeakResidentGrowth / 1024.0 / 1024:F2} MiB peak resident growth: {Error?.Message}";
    }

    public static Refusal Measure(Action action)
    {
        ResetPeakResident();
        long peakBefore = PeakResidentBytes();
        long managedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        Exception? error = null;
        try
        {
            action();
        }
        catch (Exception ex)
        {
            error = ex;
        }
        clock.Stop();
        long managed = GC.GetAllocatedBytesForCurrentThread() - managedBefore;
        return new Refusal(error, clock.Elapsed, managed, Math.Max(0, PeakResidentBytes() - peakBefore));
    }

    // Linux: writing 5 to clear_refs resets VmHWM to the current resident size (since 4.0); elsewhere nothing happens and
    // the growth reads 0 unless a case pushes the peak higher than before.
    private static void ResetPeakResident()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
        }
    }

    private static long PeakResidentBytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
            return 0;
        string? line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
