using System;
using System.Diagnostics;
using System.IO;

namespace MLNetSeq2Seq.Tests.ChildProcess;

/// <summary>
/// Runs this test assembly as a separate process (see <see cref="ChildProcessProgram"/>), so that a test can prove
/// what works in a fresh process: nothing registered, nothing cached, nothing loaded.
/// </summary>
internal static class ChildProcessRunner
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static Result Run(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(ChildProcessRunner).Assembly.Location);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the child process.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The child process '{string.Join(' ', arguments)}' ran longer than {timeout}.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
            return host;
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
            return current;
        return "dotnet";
    }
}
