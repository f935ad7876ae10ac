using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Tests.ChildProcess;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Native;

/// <summary>
/// The oneDNN instruction-set cap is set in a fresh process before libtorch loads, and oneDNN itself reports what it
/// uses: ONEDNN_VERBOSE=1 makes it print "onednn_verbose,...,info,cpu,isa:..." when it runs its first primitive
/// (here an LSTM without autograd).
/// </summary>
public sealed class OneDnnIsaDefaultTests
{
    public const string Command = "onednn-settings";

    [Fact]
    public void With_nothing_set_oneDNN_runs_with_the_AVX2_cap()
    {
        string stdout = RunChild(new Dictionary<string, string>());

        Assert.Contains($"settings {UserEnvironmentVariables.OneDnnMaxCpuIsa}={OneDnnIsaDefault.Isa} (MLNetSeq2Seq's default)", stdout);
        Assert.Matches("isa:[^\\n]*AVX2", stdout);
        Assert.DoesNotMatch("isa:[^\\n]*AVX-512", stdout);
    }

    [Fact]
    public void The_users_own_instruction_set_is_left_alone()
    {
        string stdout = RunChild(new Dictionary<string, string> { [UserEnvironmentVariables.OneDnnMaxCpuIsa] = "SSE41" });

        Assert.Contains($"settings {UserEnvironmentVariables.OneDnnMaxCpuIsa}=SSE41 (from the environment)", stdout);
        Assert.Matches("isa:[^\\n]*SSE4\\.1", stdout);
    }

    // Child side: loads the runtime, runs one LSTM pass without autograd (oneDNN's first primitive), prints the settings.
    public static int RunInChild(string[] args)
    {
        TorchRuntime.EnsureLoaded();
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var stack = new RecurrentStack("lstm", RecurrentCellType.Lstm, 2, 8, 1, 0, false);
            stack.Forward(torch.ones(2, 5, 2), null);
        }
        Console.Out.Flush();
        Console.WriteLine($"settings {TorchRuntime.OneDnnSettings}");
        return 0;
    }

    private static string RunChild(Dictionary<string, string> environment)
    {
        var withVerbose = new Dictionary<string, string>(environment) { ["ONEDNN_VERBOSE"] = "1" };
        using Process child = ChildProcessRunner.Start(withVerbose, new[] { UserEnvironmentVariables.OneDnnMaxCpuIsa, "DNNL_MAX_CPU_ISA" }, Command);
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException("The oneDNN child ran longer than 2 minutes.");
        }
        Assert.True(child.ExitCode == 0, $"child exited with {child.ExitCode.ToString(CultureInfo.InvariantCulture)}:\n{stdout.Result}\n{stderr.Result}");
        Assert.Contains("onednn_verbose", stdout.Result + stderr.Result); // oneDNN did run and report
        return stdout.Result + stderr.Result;
    }
}
