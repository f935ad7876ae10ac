using System.IO;

namespace MLNetSeq2Seq.Bench;

/// <summary>Memory figures of this process from /proc/self/status, in KiB.</summary>
internal static class ProcStatus
{
    /// <summary>Peak resident set size so far (VmHWM).</summary>
    public static long PeakResidentKiB() => Read("VmHWM:");

    /// <summary>Current resident set size (VmRSS).</summary>
    public static long ResidentKiB() => Read("VmRSS:");

    private static long Read(string key)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key))
                return long.Parse(line.Substring(key.Length).Trim().Split(' ')[0]);
        }
        return -1;
    }
}
