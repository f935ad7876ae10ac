using System;

namespace MLNetSeq2Seq;

/// <summary>
/// Thrown when TorchSharp's native runtime cannot be loaded. The message carries the dynamic loader's own error
/// (for example a missing GLIBCXX version or a missing libtorch backend package), not TorchSharp's generic text.
/// </summary>
public sealed class TorchRuntimeUnavailableException : Exception
{
    /// <summary>Creates the exception with the loader diagnosis and TorchSharp's original exception.</summary>
    public TorchRuntimeUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
