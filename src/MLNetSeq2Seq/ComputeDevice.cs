namespace MLNetSeq2Seq;

/// <summary>Where the network trains and predicts.</summary>
public enum ComputeDevice
{
    /// <summary>
    /// Default. CUDA device <c>MLContext.GpuDeviceId</c> when that is set and CUDA is available; when it is set
    /// and CUDA is not available, the CPU if <c>MLContext.FallbackToCpu</c> is true, else an error. The CPU when
    /// <c>GpuDeviceId</c> is not set.
    /// </summary>
    Auto,

    /// <summary>Always the CPU.</summary>
    Cpu,

    /// <summary>CUDA device <c>MLContext.GpuDeviceId</c> (0 when unset); an error when CUDA is not available.</summary>
    Cuda,
}
