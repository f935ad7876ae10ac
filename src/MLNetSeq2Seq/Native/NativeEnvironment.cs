using System;
using System.Runtime.InteropServices;

namespace MLNetSeq2Seq.Native;

/// <summary>
/// The process environment as native libraries see it, and every environment variable the native runtime
/// set-up reads or writes (one place, so the list of variables the library touches stays short and visible).
/// .NET keeps its own copy of the environment on Linux: <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not reach libc's getenv, which is what libgomp reads when libtorch loads; hence setenv here.
/// </summary>
internal static class NativeEnvironment
{
    /// <summary>OpenMP's wait policy (ACTIVE or PASSIVE); read by libgomp once, when it loads. Set by the user only.</summary>
    public const string OpenMpWaitPolicy = "OMP_WAIT_POLICY";

    /// <summary>libgomp's busy-wait length before an idle worker sleeps; read once, when libgomp loads. The user's
    /// value wins; otherwise <see cref="OpenMpSpinDefault"/> sets it.</summary>
    public const string GompSpinCount = "GOMP_SPINCOUNT";

    /// <summary>The variables that, set by the user, mean "leave libgomp's waiting to me".</summary>
    public static readonly string[] UserOpenMpWaitVariables = { OpenMpWaitPolicy, GompSpinCount };

    /// <summary>The value libc's getenv returns (what native code sees), or null.</summary>
    public static string? Get(string name) => Marshal.PtrToStringUTF8(getenv(name));

    /// <summary>Sets <paramref name="name"/> in libc's environment, and in .NET's copy so child processes inherit it.</summary>
    public static void Set(string name, string value)
    {
        if (setenv(name, value, 1) != 0)
            throw new InvalidOperationException($"setenv({name}) failed (errno {Marshal.GetLastPInvokeError()}).");
        Environment.SetEnvironmentVariable(name, value);
    }

    [DllImport("libc", CharSet = CharSet.Ansi, SetLastError = true)]
    private static extern int setenv(string name, string value, int overwrite);

    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern IntPtr getenv(string name);
}
