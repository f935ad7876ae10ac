using System.Runtime.InteropServices;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// CPU seconds (user + system) this process has used, all threads together (getrusage RUSAGE_SELF). Unlike
/// wall-clock time it barely moves when other processes compete for the cores, which on a shared two-core
/// machine is most of the noise; it does count busy-waiting of libtorch's worker threads.
/// </summary>
internal static class CpuClock
{
    public static double Seconds()
    {
        if (getrusage(0, out RUsage usage) != 0)
            return double.NaN;
        return usage.UserSeconds + usage.UserMicroseconds * 1e-6 + usage.SystemSeconds + usage.SystemMicroseconds * 1e-6;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        // ru_maxrss ... ru_nivcsw: 14 longs, not read.
        public long R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13;
    }
}
