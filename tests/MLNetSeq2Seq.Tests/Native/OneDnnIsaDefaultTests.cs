using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Tests.ChildProcess;
using TorchSharp;
using MLNetSeq2Seq.Networks.Layers;
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

    [Fact]
    public void When_the_application_loaded_libtorch_first_oneDNN_is_switched_off_and_the_LSTM_still_agrees()
    {
        // The child runs an LSTM without autograd through TorchSharp before MLNetSeq2Seq is used, so oneDNN picks its
        // instruction set uncapped (what a test racing ahead of TorchRuntime.EnsureLoaded did in CI).
        string stdout = RunChild(new Dictionary<string, string>(), TorchFirst);

        Assert.Contains("settings oneDNN off (libtorch was loaded before MLNetSeq2Seq", stdout);
        Assert.Contains("oneDNN enabled False", stdout);
        Match difference = Regex.Match(stdout, "training vs no_grad ([0-9.Ee+-]+)");
        Assert.True(difference.Success, stdout);
        double error = double.Parse(difference.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(error < 1e-5, $"with oneDNN off the LSTM's outputs still differ by {error:G3}");
    }

    private const string TorchFirst = "torch-first";

    // Child side: loads the runtime, runs one LSTM pass without autograd (oneDNN's first primitive), prints the settings.
    // With "torch-first" it uses TorchSharp on its own first, and then compares training and no_grad outputs.
    public static int RunInChild(string[] args)
    {
        bool torchFirst = args.Length > 0 && args[0] == TorchFirst;
        if (torchFirst)
            RunLstm(grad: false);
        TorchRuntime.EnsureLoaded();
        if (!torchFirst)
            RunLstm(grad: false);
        Console.Out.Flush();
        Console.WriteLine($"settings {TorchRuntime.OneDnnSettings}");
        if (torchFirst)
        {
            Console.WriteLine($"oneDNN enabled {OneDnnSwitch.IsEnabled()}");
            double error = (RunLstm(grad: true) - RunLstm(grad: false)).abs().max().ToDouble();
            Console.WriteLine($"training vs no_grad {error.ToString("R", CultureInfo.InvariantCulture)}");
        }
        return 0;
    }

    // A fixed LSTM (weights from a private generator) on a fixed input; with grad, as training runs it.
    private static Tensor RunLstm(bool grad)
    {
        var generator = new torch.Generator(7);
        var stack = new RecurrentStack("lstm", RecurrentCellType.Lstm, 3, 16, 1, 0, false, new ModuleRandom(1));
        using (torch.no_grad())
            foreach (var parameter in stack.parameters())
                parameter.copy_(torch.rand(parameter.shape, generator: generator) - 0.5);
        Tensor input = torch.randn(new long[] { 5, 12, 3 }, generator: generator);
        using var mode = grad ? torch.enable_grad() : torch.no_grad();
        return stack.Forward(input, null).Output.detach();
    }

    private static string RunChild(Dictionary<string, string> environment, params string[] arguments)
    {
        var withVerbose = new Dictionary<string, string>(environment) { ["ONEDNN_VERBOSE"] = "1" };
        using Process child = ChildProcessRunner.Start(withVerbose, new[] { UserEnvironmentVariables.OneDnnMaxCpuIsa, "DNNL_MAX_CPU_ISA" }, new[] { Command }.Concat(arguments).ToArray());
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
