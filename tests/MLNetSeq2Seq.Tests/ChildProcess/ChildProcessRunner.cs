using System;
using System.Collections.Generic;
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
        using var process = Start(new Dictionary<string, string>(), arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The child process '{string.Join(' ', arguments)}' ran longer than {timeout}.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the child with extra environment variables and redirected output, for a test that must talk to
    /// it while it runs (read its output line by line, kill it). The caller disposes the process.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Start(environment, Array.Empty<string>(), arguments);

    /// <summary>As above, and without the inherited variables named in <paramref name="removeVariables"/>.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, IReadOnlyCollection<string> removeVariables, params string[] arguments)
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
        foreach (string name in removeVariables)
            start.Environment.Remove(name);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the child process.");
    }

    internal static string DotnetHost()
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
