using System;
using System.Runtime.InteropServices;

namespace MLNetSeq2Seq.Training;

/// <summary>Recognises libtorch's out-of-memory errors. TorchSharp raises every native error as ExternalException,
/// so the message decides: CUDA says "CUDA out of memory", the CPU allocator "can't allocate memory".</summary>
internal static class OutOfMemory
{
    public static bool Is(Exception exception) =>
        exception is ExternalException
        && (exception.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
            || exception.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase));
}
