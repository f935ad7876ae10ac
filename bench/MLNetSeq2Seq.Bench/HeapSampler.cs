using System;
using System.Globalization;
using System.Threading;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Samples this process every 100 ms on a background thread, to split a peak RSS into its managed and native parts:
/// the largest managed heap the GC reported after a collection (<see cref="GCMemoryInfo.HeapSizeBytes"/>: live objects
/// plus fragmentation, without garbage), the largest memory the GC had committed (live, garbage not yet collected and
/// free space it keeps), and how many full (gen 2) collections ran.
/// </summary>
internal sealed class HeapSampler : IDisposable
{
    private readonly Thread _thread;
    private readonly int _gen2At = GC.CollectionCount(2);
    private volatile bool _stop;

    public HeapSampler()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "heap sampler" };
        _thread.Start();
    }

    /// <summary>Largest heap size after a collection, bytes.</summary>
    public long MaxHeapAfterCollection { get; private set; }

    /// <summary>Largest memory the GC held committed, bytes.</summary>
    public long MaxCommitted { get; private set; }

    /// <summary>Full collections since this sampler started.</summary>
    public int FullCollections => GC.CollectionCount(2) - _gen2At;

    /// <summary>The figures as key=value pairs for a child's MEMORY line (KiB).</summary>
    public string Fields() => string.Create(CultureInfo.InvariantCulture,
        $"heap_after_gc_kib={MaxHeapAfterCollection / 1024} gc_committed_kib={MaxCommitted / 1024} gen2={FullCollections}");

    private void Loop()
    {
        while (!_stop)
        {
            Sample();
            Thread.Sleep(100);
        }
    }

    private void Sample()
    {
        GCMemoryInfo info = GC.GetGCMemoryInfo(GCKind.Any);
        MaxHeapAfterCollection = Math.Max(MaxHeapAfterCollection, info.HeapSizeBytes - info.FragmentedBytes);
        MaxCommitted = Math.Max(MaxCommitted, info.TotalCommittedBytes);
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        Sample();
    }
}
