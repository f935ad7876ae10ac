using System;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Reports on the caller's thread. System.Progress&lt;T&gt; would post to the thread pool, where the live-tensor
/// count (per thread) of the training thread cannot be read.
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
