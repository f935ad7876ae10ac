using System;
using MLNetSeq2Seq.MLNetInterop;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Native;

/// <summary>Turns the Device option and the MLContext's GPU settings into a TorchSharp device.</summary>
internal static class TorchDevices
{
    public static Device Resolve(ComputeDevice requested, MLNetHost host)
    {
        TorchRuntime.EnsureLoaded();
        int? gpu = host.GpuDeviceId;
        switch (requested)
        {
            case ComputeDevice.Cpu:
                return torch.CPU;
            case ComputeDevice.Cuda:
                if (!CudaAvailable())
                    throw new InvalidOperationException("Device = Cuda, but CUDA is not available in this process: the application references the CPU libtorch "
                        + "backend, or no NVIDIA driver/GPU is present. Reference TorchSharp-cuda-linux (see README, 'Picking the libtorch backend') or use Device = Auto/Cpu.");
                return torch.device(DeviceType.CUDA, gpu ?? 0);
            case ComputeDevice.Auto:
                if (gpu is null)
                    return torch.CPU;
                if (CudaAvailable())
                    return torch.device(DeviceType.CUDA, gpu.Value);
                if (host.FallbackToCpu)
                {
                    host.Warning($"Seq2Seq: MLContext.GpuDeviceId = {gpu}, but CUDA is not available; falling back to the CPU (MLContext.FallbackToCpu).");
                    return torch.CPU;
                }
                throw new InvalidOperationException($"MLContext.GpuDeviceId = {gpu}, but CUDA is not available and MLContext.FallbackToCpu is false. "
                    + "Reference the CUDA backend, set FallbackToCpu = true, or leave GpuDeviceId unset.");
            default:
                throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown device.");
        }
    }

    public static bool CudaAvailable()
    {
        try
        {
            return torch.cuda.is_available();
        }
        catch (Exception ex) when (ex is DllNotFoundException or NotSupportedException or TypeInitializationException)
        {
            return false;
        }
    }
}
