// The CUDA check: run on a GPU host with PyTorch but no .NET SDK (prepare.sh publishes this self-contained and prints
// the command line). Loads libtorch from --libtorch, trains W1 and the segment-recurrent family on the device, compares
// CPU and device scores for the same weights, provokes a real out-of-memory to check the micro-batch backoff, saves on
// the device and loads on the CPU, and writes everything to one JSON file. --device cpu runs the same checks on the
// CPU (CI runs it so the app never rots); the device-only checks then say they were skipped.
using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetSeq2Seq.GpuCheck;

var clock = Stopwatch.StartNew();
CheckArguments arguments;
try
{
    arguments = CheckArguments.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(CheckArguments.Usage);
    return 2;
}

var report = new JsonObject
{
    ["started"] = DateTime.UtcNow.ToString("O"),
    ["device"] = arguments.Device,
    ["libtorch"] = arguments.LibTorchFolder,
    ["quick"] = arguments.Quick,
};
int exitCode = 0;
using (var memory = DeviceMemoryProbe.Start(arguments.UsesCuda))
{
    try
    {
        var checks = new DeviceChecks(arguments, report);
        if (checks.LoadRuntime())
        {
            checks.MatmulRate();
            checks.TrainW1();
            checks.TrainSegmentFamily();
            checks.CompareScoresAndReloadOnCpu();
            checks.OutOfMemoryBackoff();
        }
        else
        {
            exitCode = 1;
        }
    }
    catch (Exception ex)
    {
        report["error"] = ex.ToString();
        exitCode = 1;
    }
    report["peakDeviceMemoryMiB"] = memory.PeakMiB is double peak ? peak : null;
    report["deviceMemoryProbe"] = memory.Description;
}
report["totalSeconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1);
report["ok"] = exitCode == 0 && DeviceChecks.AllPassed(report);

string json = report.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(arguments.OutputPath))!);
File.WriteAllText(arguments.OutputPath, json);
Console.WriteLine(json);
Console.WriteLine($"written: {arguments.OutputPath}");
return report["ok"]!.GetValue<bool>() ? 0 : 1;
