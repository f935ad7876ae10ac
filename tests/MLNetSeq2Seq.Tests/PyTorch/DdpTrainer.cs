using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace MLNetSeq2Seq.Tests.PyTorch;

/// <summary>
/// Runs python/mlnetseq2seq_ddp.py: on one process with the interpreter that has torch, or on several with torchrun
/// (the torchrun beside the interpreter, else <c>python -m torch.distributed.run</c>, the same entry point), gloo on the CPU.
/// </summary>
internal static class DdpTrainer
{
    public static string Script => Path.Combine(TestEnvironment.RepoRoot, "python", "mlnetseq2seq_ddp.py");

    /// <summary>Runs the trainer on <paramref name="processes"/> processes; returns its output (rank 0's log), asserting exit code 0.</summary>
    public static string Run(int processes, string data, params string[] arguments)
    {
        string interpreter = PythonTorch.Interpreter ?? throw new InvalidOperationException(PythonTorch.MissingReason);
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true };
        if (processes == 1)
        {
            start.FileName = interpreter;
            start.ArgumentList.Add("-u");
        }
        else
        {
            string torchrun = Path.Combine(Path.GetDirectoryName(interpreter) ?? "", "torchrun");
            start.FileName = File.Exists(torchrun) ? torchrun : interpreter;
            if (!File.Exists(torchrun))
                start.ArgumentList.Add("-m");
            if (!File.Exists(torchrun))
                start.ArgumentList.Add("torch.distributed.run");
            // --redirects/--tee: Debian's torch 1.13 on Python 3.11 cannot parse their default "0" (IntFlag iteration skips
            // the zero member and the combined 3), so torchrun fails before starting a worker; 1 (stdout to a log and the console) parses.
            foreach (string a in new[] { "--standalone", "--nnodes", "1", "--nproc_per_node", processes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--redirects", "1", "--tee", "1" })
                start.ArgumentList.Add(a);
        }
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(data);
        foreach (string a in arguments)
            start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(300_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("mlnetseq2seq_ddp.py ran over 5 minutes: " + output);
        }
        Assert.True(process.ExitCode == 0, $"mlnetseq2seq_ddp.py on {processes} process(es) exited with {process.ExitCode}:\n{output}\n{error.Result}");
        return output;
    }

    /// <summary>The validation losses of a --history file, epoch by epoch.</summary>
    public static double[] ValidationCurve(string historyPath) =>
        ((JsonObject)JsonNode.Parse(File.ReadAllText(historyPath))!)["epochs"]!.AsArray().Select(e => e!["validation_loss"]!.GetValue<double>()).ToArray();

    /// <summary>The float32 tensors of a safetensors file (the interchange file's weights), by name.</summary>
    public static IReadOnlyDictionary<string, float[]> Weights(string path)
    {
        using var stream = File.OpenRead(path);
        return MLNetSeq2Seq.PyTorch.SafeTensorsFile.Read(stream).Tensors.ToDictionary(t => t.Key, t => t.Value.Values);
    }
}
