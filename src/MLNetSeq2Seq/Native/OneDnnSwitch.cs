using System;
using System.IO;
using System.Runtime.InteropServices;

namespace MLNetSeq2Seq.Native;

/// <summary>
/// libtorch's process-wide "use oneDNN" flag (<c>at::globalContext().setUserEnabledMkldnn</c>, what PyTorch calls
/// <c>torch.backends.mkldnn.enabled</c>). TorchSharp 0.107 does not expose it, so it is reached through libtorch_cpu's
/// exported C++ symbols. With the flag off an LSTM runs on ATen's own kernels, with and without autograd.
/// </summary>
internal static class OneDnnSwitch
{
    private const string LibTorchCpu = "libtorch_cpu.so";

    /// <summary>Whether libtorch_cpu is already mapped into this process (Linux only): then oneDNN may already have read
    /// its instruction-set variable, and a cap set now would not be guaranteed to apply.</summary>
    public static bool LibTorchAlreadyLoaded()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
                if (line.EndsWith("/" + LibTorchCpu, StringComparison.Ordinal))
                    return true;
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true; // cannot tell: assume the worst, and switch oneDNN off
        }
    }

    /// <summary>Turns libtorch's oneDNN use off; false (with the reason) when this libtorch lacks the symbols.</summary>
    public static bool TryDisable(out string failure)
    {
        try
        {
            SetUserEnabledMkldnn(GlobalContext(), false);
            if (UserEnabledMkldnn(GlobalContext()))
            {
                failure = "libtorch still reports oneDNN on after it was switched off";
                return false;
            }
            failure = "";
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            failure = ex.Message;
            return false;
        }
    }

    /// <summary>libtorch's flag as it stands.</summary>
    public static bool IsEnabled() => UserEnabledMkldnn(GlobalContext());

    [DllImport(LibTorchCpu, EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport(LibTorchCpu, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport(LibTorchCpu, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);
}
