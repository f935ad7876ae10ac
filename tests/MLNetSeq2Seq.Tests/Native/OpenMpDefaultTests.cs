using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Tests.ChildProcess;
using TorchSharp;
using Xunit;

namespace MLNetSeq2Seq.Tests.Native;

/// <summary>
/// The OpenMP spin bound is set in a fresh process, before libtorch loads, and libgomp itself reports what it read:
/// OMP_DISPLAY_ENV=VERBOSE makes it print its settings (GOMP_SPINCOUNT = '…') on standard error when it loads.
/// </summary>
public sealed class OpenMpDefaultTests
{
    public const string Command = "openmp-settings";

    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void With_nothing_set_libgomp_reads_the_librarys_spin_bound()
    {
        var (stdout, display) = RunChild(new Dictionary<string, string>());

        Assert.Contains($"GOMP_SPINCOUNT = '{OpenMpSpinDefault.SpinCount}'", display);
        Assert.Contains($"native {UserEnvironmentVariables.GompSpinCount}={OpenMpSpinDefault.SpinCount}", stdout);
        Assert.Contains("MLNetSeq2Seq's default", stdout);
    }

    [Theory]
    [InlineData("OMP_WAIT_POLICY", "PASSIVE", "GOMP_SPINCOUNT = '0'")]
    [InlineData("OMP_WAIT_POLICY", "ACTIVE", "GOMP_SPINCOUNT = '30000000000'")]
    [InlineData("GOMP_SPINCOUNT", "123457", "GOMP_SPINCOUNT = '123457'")]
    public void The_users_own_variable_is_left_alone(string variable, string value, string libgompReport)
    {
        var (stdout, display) = RunChild(new Dictionary<string, string> { [variable] = value });

        Assert.Contains(libgompReport, display);
        Assert.Contains($"{variable}={value} (from the environment)", stdout);
        if (variable != UserEnvironmentVariables.GompSpinCount)
            Assert.Contains($"native {UserEnvironmentVariables.GompSpinCount}=(unset)", stdout);
    }

    [Fact]
    public void A_variable_set_through_dotnets_environment_reaches_libgomp()
    {
        var (stdout, display) = RunChild(new Dictionary<string, string>(), "managed-spincount=4321");

        Assert.Contains("GOMP_SPINCOUNT = '4321'", display);
        Assert.Contains($"native {UserEnvironmentVariables.GompSpinCount}=4321", stdout);
    }

    [Fact]
    public void Switching_the_bound_off_keeps_libgomps_default_and_a_late_switch_is_refused()
    {
        var (stdout, display) = RunChild(new Dictionary<string, string>(), "bound-off");

        Assert.Contains("GOMP_SPINCOUNT = '300000'", display); // libgomp's documented default without a policy
        Assert.Contains($"native {UserEnvironmentVariables.GompSpinCount}=(unset)", stdout);
        Assert.Contains("late switch: InvalidOperationException: TorchRuntime.BoundOpenMpSpinning must be set before the first use", stdout);
    }

    [Fact]
    public void Changing_the_switch_after_libtorch_loaded_throws_and_keeps_the_value()
    {
        TorchRuntime.EnsureLoaded();
        bool current = TorchRuntime.BoundOpenMpSpinning;

        TorchRuntime.BoundOpenMpSpinning = current; // the same value is no change
        var error = Assert.Throws<InvalidOperationException>(() => TorchRuntime.BoundOpenMpSpinning = !current);

        Assert.Contains("before the first use of MLNetSeq2Seq", error.Message);
        Assert.Equal(current, TorchRuntime.BoundOpenMpSpinning);
    }

    // Child side. Arguments: optional "bound-off" (switch the bound off first) or "managed-spincount=N" (set
    // GOMP_SPINCOUNT through .NET only). Loads the runtime, runs a parallel op, prints what is in effect.
    public static int RunInChild(string[] args)
    {
        foreach (string argument in args)
        {
            if (argument == "bound-off")
                TorchRuntime.BoundOpenMpSpinning = false;
            else if (argument.StartsWith("managed-spincount=", StringComparison.Ordinal))
                Environment.SetEnvironmentVariable(UserEnvironmentVariables.GompSpinCount, argument["managed-spincount=".Length..]);
        }
        TorchRuntime.EnsureLoaded();
        using (var scope = torch.NewDisposeScope())
            Console.WriteLine(FormattableString.Invariant($"sum {torch.ones(512, 512).matmul(torch.ones(512, 512)).sum().ToSingle()}"));
        Console.WriteLine($"settings {TorchRuntime.OpenMpSettings}");
        Console.WriteLine($"native {UserEnvironmentVariables.GompSpinCount}={NativeGetenv(UserEnvironmentVariables.GompSpinCount) ?? "(unset)"}");
        if (args.Contains("bound-off"))
        {
            try
            {
                TorchRuntime.BoundOpenMpSpinning = true;
                Console.WriteLine("late switch: accepted");
            }
            catch (InvalidOperationException ex)
            {
                Console.WriteLine($"late switch: {nameof(InvalidOperationException)}: {ex.Message}");
            }
        }
        return 0;
    }

    private static (string Stdout, string LibgompDisplay) RunChild(Dictionary<string, string> environment, params string[] arguments)
    {
        var withDisplay = new Dictionary<string, string>(environment) { ["OMP_DISPLAY_ENV"] = "VERBOSE" };
        var all = new List<string> { Command };
        all.AddRange(arguments);
        using Process child = ChildProcessRunner.Start(withDisplay, NativeEnvironment.UserOpenMpWaitVariables, all.ToArray());
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(s_timeout))
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException($"The OpenMP child ran longer than {s_timeout}.");
        }
        Assert.True(child.ExitCode == 0, $"child exited with {child.ExitCode.ToString(CultureInfo.InvariantCulture)}:\n{stdout.Result}\n{stderr.Result}");
        Assert.Contains("OPENMP DISPLAY ENVIRONMENT BEGIN", stderr.Result); // libgomp did load and report
        return (stdout.Result, stderr.Result);
    }

    /// <summary>What libc's getenv returns in this process — what libgomp reads (the library itself reads through .NET only).</summary>
    private static string? NativeGetenv(string name) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8(getenv(name));

    [System.Runtime.InteropServices.DllImport("libc", CharSet = System.Runtime.InteropServices.CharSet.Ansi)]
    private static extern IntPtr getenv(string name);
}
