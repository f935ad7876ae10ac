using System;
using System.Runtime.InteropServices;

namespace MLNetSeq2Seq.Native;

/// <summary>
/// Keeps an LSTM's inference the function its training computed. libtorch 2.10 runs an LSTM through oneDNN, and on AMD
/// EPYC processors with AVX-512 oneDNN's inference kernel (used whenever autograd is off: Transform, validation, every
/// no_grad pass) computed a different function from its training kernel — outputs off by up to 1.1 for the same weights
/// (Networks/LstmInferenceTests) — so a trained LSTM model scored as some other network. Capped at AVX2
/// (ONEDNN_MAX_CPU_ISA=AVX2) both agree to 1e-7. oneDNN reads that variable once, at its first use, so the cap is set
/// before libtorch loads. When libtorch was loaded before this library could set it (the application used TorchSharp
/// first), the cap is not guaranteed, and oneDNN is switched off instead (<see cref="OneDnnSwitch"/>): LSTMs then run on
/// ATen's own kernels, correct on every processor and slower without autograd. GRUs and linear layers do not go through
/// oneDNN here. A user's own ONEDNN_MAX_CPU_ISA is always left alone.
/// </summary>
internal static class OneDnnIsaDefault
{
    /// <summary>The ONEDNN_MAX_CPU_ISA this library sets when the user sets none.</summary>
    public const string Isa = "AVX2";

    /// <summary>What <see cref="Apply"/> decided, for <see cref="ApplyAfterLoad"/>.</summary>
    public enum Decision
    {
        /// <summary>Nothing to do after the load: the cap is set, the user chose, or the platform is left alone.</summary>
        Settled,

        /// <summary>libtorch was already loaded: switch oneDNN off once it is reachable.</summary>
        SwitchOff,
    }

    /// <summary>Before the native load: applies the cap when the environment chooses nothing; returns what is in effect,
    /// in words, and whether oneDNN must be switched off after the load.</summary>
    public static (string Settings, Decision Decision) Apply()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return ("oneDNN's own choice (the cap is applied on Linux x64 only; set ONEDNN_MAX_CPU_ISA=AVX2 yourself elsewhere)", Decision.Settled);
        string? chosen = Environment.GetEnvironmentVariable(UserEnvironmentVariables.OneDnnMaxCpuIsa);
        if (!string.IsNullOrEmpty(chosen))
        {
            NativeEnvironment.Set(UserEnvironmentVariables.OneDnnMaxCpuIsa, chosen); // .NET's copy may not have reached libc
            return ($"{UserEnvironmentVariables.OneDnnMaxCpuIsa}={chosen} (from the environment)", Decision.Settled);
        }
        // Set first, then look: a libtorch that is not mapped now will see the cap at oneDNN's first use, whichever thread
        // loads it; one that is mapped already may have read its instruction set without it.
        NativeEnvironment.Set(UserEnvironmentVariables.OneDnnMaxCpuIsa, Isa);
        if (OneDnnSwitch.LibTorchAlreadyLoaded())
            return ("", Decision.SwitchOff);
        return ($"{UserEnvironmentVariables.OneDnnMaxCpuIsa}={Isa} (MLNetSeq2Seq's default)", Decision.Settled);
    }

    /// <summary>After the native load: carries out <see cref="Decision.SwitchOff"/>; returns the settings in words.</summary>
    public static string ApplyAfterLoad(string settings, Decision decision)
    {
        if (decision == Decision.Settled)
            return settings;
        return OneDnnSwitch.TryDisable(out string failure)
            ? "oneDNN off (libtorch was loaded before MLNetSeq2Seq could cap its instruction set; LSTMs run on ATen's own kernels)"
            : $"oneDNN left on and uncapped: libtorch was loaded before MLNetSeq2Seq, and switching oneDNN off failed ({failure}); "
              + $"set {UserEnvironmentVariables.OneDnnMaxCpuIsa}={Isa} before the process starts";
    }
}
