using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json.Nodes;
using Xunit;

namespace MLNetSeq2Seq.Tests.PyTorch;

/// <summary>
/// A Python interpreter that imports torch: /usr/bin/python3 first (Debian's python3-torch, which CI installs), then
/// python3 on PATH. Tests that need it are <see cref="PyTorchFactAttribute"/>/<see cref="PyTorchTheoryAttribute"/>
/// and are skipped, with the reason, where no interpreter has torch.
/// </summary>
internal static class PythonTorch
{
    private static readonly Lazy<(string? Interpreter, string Reason)> s_found = new(Find);

    public static string? Interpreter => s_found.Value.Interpreter;

    public static string MissingReason => s_found.Value.Reason;

    private static (string?, string) Find()
    {
        var tried = new System.Collections.Generic.List<string>();
        foreach (string candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var start = new ProcessStartInfo(candidate, "-c \"import torch; print(torch.__version__)\"")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                using var process = Process.Start(start)!;
                string output = process.StandardOutput.ReadToEnd();
                process.StandardError.ReadToEnd();
                if (!process.WaitForExit(120_000))
                {
                    process.Kill();
                    tried.Add($"{candidate}: timed out importing torch");
                    continue;
                }
                if (process.ExitCode == 0)
                    return (candidate, "");
                tried.Add($"{candidate}: cannot import torch");
            }
            catch (System.ComponentModel.Win32Exception)
            {
                tried.Add($"{candidate}: not found");
            }
        }
        return (null, "No Python interpreter with torch (" + string.Join("; ", tried) + "). Install Debian's python3-torch (.ci/run does).");
    }
}

/// <summary>A fact that needs PyTorch: skipped, with the reason, where no Python interpreter imports torch.</summary>
public sealed class PyTorchFactAttribute : FactAttribute
{
    public PyTorchFactAttribute()
    {
        if (PythonTorch.Interpreter is null)
            Skip = PythonTorch.MissingReason;
    }
}

/// <summary>A theory that needs PyTorch: skipped, with the reason, where no Python interpreter imports torch.</summary>
public sealed class PyTorchTheoryAttribute : TheoryAttribute
{
    public PyTorchTheoryAttribute()
    {
        if (PythonTorch.Interpreter is null)
            Skip = PythonTorch.MissingReason;
    }
}

/// <summary>
/// One long-lived python process running tests/.../PyTorch/pytorch_driver.py with the repository's reference module
/// (importing torch takes seconds, so a test class shares one). Requests and answers are JSON lines.
/// </summary>
public sealed class PyTorchDriver : IDisposable
{
    private readonly object _gate = new();
    private readonly System.Text.StringBuilder _errors = new();
    private Process? _process;

    public string TorchVersion { get; private set; } = "";

    /// <summary>Sends one request and returns the answer; throws when python reports an error or the process dies.</summary>
    public JsonObject Call(JsonObject request)
    {
        lock (_gate)
        {
            Process process = Started();
            process.StandardInput.WriteLine(request.ToJsonString());
            process.StandardInput.Flush();
            string? line = process.StandardOutput.ReadLine()
                ?? throw new InvalidOperationException("the python driver ended: " + _errors);
            return (JsonObject)JsonNode.Parse(line)!;
        }
    }

    /// <summary><see cref="Call"/>, asserting the answer is not an error.</summary>
    public JsonObject CallOk(JsonObject request)
    {
        JsonObject answer = Call(request);
        Assert.True(answer["ok"]!.GetValue<bool>(), $"python failed: {answer["error"]}\n{answer["trace"]}");
        return answer;
    }

    private Process Started()
    {
        if (_process is not null)
            return _process;
        string interpreter = PythonTorch.Interpreter ?? throw new InvalidOperationException(PythonTorch.MissingReason);
        string script = Path.Combine(TestEnvironment.RepoRoot, "tests", "MLNetSeq2Seq.Tests", "PyTorch", "pytorch_driver.py");
        var start = new ProcessStartInfo(interpreter)
        {
            ArgumentList = { "-u", script },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MLNETSEQ2SEQ_REFERENCE_DIR"] = Path.Combine(TestEnvironment.RepoRoot, "python");
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        start.Environment["OMP_NUM_THREADS"] = "1";
        _process = Process.Start(start)!;
        // Drain stderr so a chatty torch cannot block the pipe; kept for the message when the driver dies.
        _process.ErrorDataReceived += (_, e) => { lock (_errors) _errors.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        string? hello = _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException("the python driver did not start: " + _errors);
        TorchVersion = JsonNode.Parse(hello)!["torch"]!.GetValue<string>();
        return _process;
    }

    public void Dispose()
    {
        if (_process is null)
            return;
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
                _process.Kill();
        }
        finally
        {
            _process.Dispose();
        }
    }
}
