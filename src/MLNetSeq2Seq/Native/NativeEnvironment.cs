using System;
using System.Runtime.InteropServices;

namespace MLNetSeq2Seq.Native;

/// <summary>
/// Writes the process environment as native libraries see it. (What the library reads is listed in
/// <see cref="UserEnvironmentVariables"/>, and read through .NET only.)
/// .NET keeps its own copy of the environment on Linux: <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not reach libc's getenv, which is what libgomp reads when libtorch loads; hence setenv here.
/// </summary>
internal static class NativeEnvironment
{
    /// <summary>The variables that, set by the user, mean "leave libgomp's waiting to me" (both listed, with what they do,
    /// in <see cref="UserEnvironmentVariables"/>).</summary>
    public static readonly string[] UserOpenMpWaitVariables = { UserEnvironmentVariables.OpenMpWaitPolicy, UserEnvironmentVariables.GompSpinCount };

    /// <summary>Sets <paramref name="name"/> in libc's environment, and in .NET's copy so child processes inherit it.</summary>
    public static void Set(string name, string value)
    {
        if (setenv(name, value, 1) != 0)
            throw new InvalidOperationException($"setenv({name}) failed (errno {Marshal.GetLastPInvokeError()}).");
        Environment.SetEnvironmentVariable(name, value);
    }

    [DllImport("libc", CharSet = CharSet.Ansi, SetLastError = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
