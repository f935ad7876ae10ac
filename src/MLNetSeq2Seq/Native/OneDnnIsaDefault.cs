using System;
using System.Runtime.InteropServices;

namespace MLNetSeq2Seq.Native;

/// <summary>
/// Caps oneDNN (libtorch's "mkldnn") at AVX2 on Linux x64 unless the user chooses an instruction set. libtorch 2.10 runs an
/// LSTM through oneDNN whenever autograd is off — Transform, validation, every no_grad pass — and on an AMD EPYC with
/// AVX-512 that kernel computed a different function from the one training uses (outputs off by up to 1.1 for the same
/// weights; Networks/LstmInferenceTests), so a trained LSTM model scored as some other network. With
/// ONEDNN_MAX_CPU_ISA=AVX2 both agree to 1e-7. GRUs and linear layers do not go through oneDNN here, so only LSTM
/// inference speed can change. oneDNN reads the variable once, at its first use, so this runs before the native load.
/// </summary>
internal static class OneDnnIsaDefault
{
    /// <summary>The ONEDNN_MAX_CPU_ISA this library sets when the user sets none.</summary>
    public const string Isa = "AVX2";

    /// <summary>Applies the cap when the environment chooses nothing; returns what is in effect, in words.</summary>
    public static string Apply()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return "oneDNN's own choice (the cap is applied on Linux x64 only; set ONEDNN_MAX_CPU_ISA=AVX2 yourself elsewhere)";
        string? chosen = Environment.GetEnvironmentVariable(UserEnvironmentVariables.OneDnnMaxCpuIsa);
        if (!string.IsNullOrEmpty(chosen))
        {
            NativeEnvironment.Set(UserEnvironmentVariables.OneDnnMaxCpuIsa, chosen); // .NET's copy may not have reached libc
            return $"{UserEnvironmentVariables.OneDnnMaxCpuIsa}={chosen} (from the environment)";
        }
        NativeEnvironment.Set(UserEnvironmentVariables.OneDnnMaxCpuIsa, Isa);
        return $"{UserEnvironmentVariables.OneDnnMaxCpuIsa}={Isa} (MLNetSeq2Seq's default)";
    }
}
