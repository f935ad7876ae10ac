using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace MLNetSeq2Seq.Tests.ChildProcess;

/// <summary>A cap on a child process's address space (Linux setrlimit RLIMIT_AS), set above what it has mapped so far:
/// an allocation past it fails instead of growing the machine's memory.</summary>
internal static class AddressSpaceLimit
{
    /// <summary>The process's mapped address space ("VmSize") or its peak ("VmPeak") from /proc/self/status, in bytes.</summary>
    public static long VirtualMemory(string field)
    {
        string line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public static void Set(long bytes)
    {
        if (getrlimit(RlimitAddressSpace, out var current) != 0)
            throw new InvalidOperationException("getrlimit failed: " + Marshal.GetLastPInvokeErrorMessage());
        var limit = new ResourceLimit { Current = (ulong)bytes, Maximum = current.Maximum };
        if (setrlimit(RlimitAddressSpace, ref limit) != 0)
            throw new InvalidOperationException("setrlimit failed: " + Marshal.GetLastPInvokeErrorMessage());
    }

    private const int RlimitAddressSpace = 9; // RLIMIT_AS on Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out ResourceLimit limit);

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, ref ResourceLimit limit);
}
