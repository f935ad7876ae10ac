namespace MLNetSeq2Seq;

/// <summary>
/// The one list of environment variables the shipped library may read: each is a setting a user can change, with a
/// line here saying what it does. Nothing else in the assembly reads the environment — test hooks go through the
/// internal ITrainingObserver instead, so no variable can change what a user's training does behind their back.
/// To read a new one, add an <c>internal const string</c> here with its doc line, and pass that constant straight to
/// <c>Environment.GetEnvironmentVariable</c>. UserEnvironmentVariablesTests scans the compiled assembly and fails on
/// any read of a name not listed here, and on any read whose name is not a literal.
/// </summary>
internal static class UserEnvironmentVariables
{
    /// <summary>OpenMP's wait policy (ACTIVE or PASSIVE), read by libgomp once, when libtorch loads it. When the user sets
    /// it (or GOMP_SPINCOUNT), the library leaves libgomp's waiting to them instead of bounding the spin
    /// (Native/OpenMpSpinDefault).</summary>
    internal const string OpenMpWaitPolicy = "OMP_WAIT_POLICY";

    /// <summary>libgomp's busy-wait length before an idle worker sleeps, read once, when libtorch loads it. The user's value
    /// wins; otherwise the library sets its measured default (Native/OpenMpSpinDefault).</summary>
    internal const string GompSpinCount = "GOMP_SPINCOUNT";

    /// <summary>The most advanced x64 instruction set oneDNN (libtorch's mkldnn) may use, read at its first use. The user's
    /// value wins; otherwise the library sets AVX2, because oneDNN's AVX-512 LSTM kernel computed wrong inference results
    /// (Native/OneDnnIsaDefault).</summary>
    internal const string OneDnnMaxCpuIsa = "ONEDNN_MAX_CPU_ISA";
}
