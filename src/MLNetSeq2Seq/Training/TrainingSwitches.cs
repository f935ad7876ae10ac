using System;
using System.Threading;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// Switches for tests and the bench, kept out of the options a user sets: they change how Fit holds its rows or how
/// often it logs, never what it computes, and are not part of the run identity. Each holds for the calls made inside
/// <see cref="With{T}"/> on the calling flow (AsyncLocal), so tests running in parallel do not see each other's.
/// </summary>
internal static class TrainingSwitches
{
    private static readonly AsyncLocal<bool> s_copyWindows = new();
    private static readonly AsyncLocal<TimeSpan?> s_stepProgressInterval = new();

    /// <summary>Copy every window of a window view into dense tensors, as for any other IDataView, instead of keeping the
    /// series once and cutting windows per batch (the results are the same bit for bit). Default false.</summary>
    public static bool CopyWindows => s_copyWindows.Value;

    /// <summary>How often an epoch that runs longer reports its steps in the log. Default 10 s.</summary>
    public static TimeSpan StepProgressInterval => s_stepProgressInterval.Value ?? TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="run"/> with the switches given (the others as they are), then restores them.</summary>
    public static T With<T>(Func<T> run, bool? copyWindows = null, TimeSpan? stepProgressInterval = null)
    {
        bool previousCopy = s_copyWindows.Value;
        TimeSpan? previousInterval = s_stepProgressInterval.Value;
        s_copyWindows.Value = copyWindows ?? previousCopy;
        s_stepProgressInterval.Value = stepProgressInterval ?? previousInterval;
        try
        {
            return run();
        }
        finally
        {
            s_copyWindows.Value = previousCopy;
            s_stepProgressInterval.Value = previousInterval;
        }
    }
}
