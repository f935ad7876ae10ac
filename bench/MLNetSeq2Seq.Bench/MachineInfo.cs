using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace MLNetSeq2Seq.Bench;

/// <summary>What the figures were measured on.</summary>
internal static class MachineInfo
{
    public static string Describe()
    {
        string cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown";
        string memory = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:"))?.Split(':', 2)[1].Trim() ?? "unknown";
        return $"nproc {Environment.ProcessorCount}, CPU \"{cpu}\", MemTotal {memory}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();
}
