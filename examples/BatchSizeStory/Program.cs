// The batch-size story on ETTh2: what the effective batch, the micro-batch and the learning-rate scaling rule do.
// Usage: dotnet run --project examples/BatchSizeStory [-- path/to/ETTh2.csv]
// Each configuration trains in a child process of this program, so its peak memory (VmHWM) is its own.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using BatchSizeStory;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;

const int InputLength = 96, Horizon = 24, MaxEpochs = 10;

if (args.Length >= 2 && args[0] == "--run")
    return RunConfiguration(args[1], args.Length > 2 ? args[2] : null);

string? csv = args.FirstOrDefault() ?? DefaultCsv();
Console.WriteLine(csv is null ? "ETTh2.csv not found: using a generated series (pass the CSV path as the first argument)." : $"data: {csv}");
Console.WriteLine($"windows: L = {InputLength}, H = {Horizon}, 7 → 7 features, train stride 1, {MaxEpochs} epochs, GRU hidden 64, one-cycle schedule.");
Console.WriteLine();
Console.WriteLine("| configuration | effective batch | micro-batch | learning rate | best validation MSE | best epoch | s / epoch | peak RSS |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
foreach (string name in new[] { "reference", "big-batch", "big-batch-micro", "big-batch-micro-sqrt", "big-batch-micro-linear" })
{
    // Run as `dotnet BatchSizeStory.dll` or as the app host: start the child the same way.
    bool viaDotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet";
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    if (viaDotnet)
        start.ArgumentList.Add(typeof(Window).Assembly.Location);
    foreach (string argument in new[] { "--run", name, csv ?? "" })
        start.ArgumentList.Add(argument);
    var child = Process.Start(start)!;
    string output = child.StandardOutput.ReadToEnd();
    child.WaitForExit();
    if (child.ExitCode != 0)
    {
        Console.Error.WriteLine($"{name} failed:\n{output}");
        return 1;
    }
    Console.WriteLine(output.Trim().Split('\n').Last());
}
return 0;

static int RunConfiguration(string name, string? csv)
{
    var ml = new MLContext(seed: 1);
    float[][] series = EttWindows.LoadStandardized(string.IsNullOrEmpty(csv) ? null : csv);
    var schema = SchemaDefinition.Create(typeof(Window));
    schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, InputLength, EttWindows.Columns);
    schema["Label"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Horizon, EttWindows.Columns);
    IDataView train = ml.Data.LoadFromEnumerable(EttWindows.Slide(series, InputLength, Horizon, 0, EttWindows.TrainEnd, stride: 1), schema);
    IDataView validation = ml.Data.LoadFromEnumerable(EttWindows.Slide(series, InputLength, Horizon, EttWindows.TrainEnd, EttWindows.ValidationEnd, stride: 1), schema);

    var options = new Seq2SeqOptions
    {
        HiddenSize = 64, MaxEpochs = MaxEpochs, LearningRate = 1e-3, ValidationSet = validation, EarlyStoppingPatience = MaxEpochs, Seed = 1,
    };
    (options.BatchSize, options.MicroBatchSize, options.LearningRateScaling) = name switch
    {
        "reference" => (32, (int?)null, LearningRateScaling.None),
        "big-batch" => (256, null, LearningRateScaling.None),
        "big-batch-micro" => (256, 32, LearningRateScaling.None),
        "big-batch-micro-sqrt" => (256, 32, LearningRateScaling.SquareRoot),
        "big-batch-micro-linear" => (256, 32, LearningRateScaling.Linear),
        _ => throw new ArgumentException("unknown configuration " + name),
    };
    options.ReferenceBatchSize = 32;
    double scaledLearningRate = name.EndsWith("sqrt") ? 1e-3 * Math.Sqrt(8) : name.EndsWith("linear") ? 8e-3 : 1e-3;

    using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(train);
    TrainingHistory history = model.TrainingHistory;
    string micro = options.MicroBatchSize is int m ? $"{options.BatchSize / m} × {m}" : $"1 × {options.BatchSize}";
    string scaling = options.LearningRateScaling == LearningRateScaling.None ? "" : $" ({options.LearningRateScaling}, ref 32)";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {options.BatchSize} | {micro} | {scaledLearningRate:G3}{scaling} | {history.BestValidationLoss:F4} | {history.BestEpoch} | "
        + $"{history.Epochs.Average(e => e.Seconds):F1} | {PeakResidentMiB()} MiB |"));
    return 0;
}

static long PeakResidentMiB() =>
    long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;

static string? DefaultCsv()
{
    for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
    {
        string candidate = Path.Combine(dir, "..", "shared", "data", "ETTh2.csv");
        if (File.Exists(candidate))
            return Path.GetFullPath(candidate);
    }
    return null;
}
