// The batch-size story: what the effective batch, the micro-batch and the learning-rate scaling rule do (part 1),
// the naive accumulation loop from the user's story against the component (part 2), and optimizer steps against samples
// to one validation loss at B/4, B and 4·B with the gradient noise scale's predicted knee (part 3), on ETTh2.
//   dotnet run --project examples/BatchSizeStory [-- [path/to/ETTh2.csv] [--part 1|2|3|all] [--out folder]]
// Without a CSV it looks for ../shared/data/ETTh2.csv and falls back to a generated series.
// Each configuration trains in a child process of this program, so its peak memory (VmHWM) is its own.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BatchSizeStory;

if (args.Length >= 1 && args[0] == "--child")
    return Runs.RunChild(args[1..]);

var settings = Settings.Parse(args);
Console.WriteLine(settings.Csv is null ? "ETTh2.csv not found: using a generated series (pass the CSV path as the first argument)." : $"data: {settings.Csv}");
Directory.CreateDirectory(settings.Output);

if (settings.Part is "1" or "all")
{
    Console.WriteLine();
    Console.WriteLine($"Part 1 — effective batch, micro-batch, scaling. L = {Runs.TableInputLength}, H = 24, 7 → 7 features, "
        + $"{Runs.TableEpochs} epochs, GRU hidden 64, one-cycle schedule, learning rate 1e-3 tuned at batch 32.");
    Console.WriteLine();
    Console.WriteLine("| configuration | effective batch | micro-batch | learning rate | best validation MSE | best epoch | s / epoch | peak RSS |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    foreach (string name in Runs.TableConfigurations)
        Console.WriteLine(Child(settings, "table", name).Last());
}

if (settings.Part is "2" or "all")
{
    Console.WriteLine();
    Console.WriteLine($"Part 2 — the naive loop against the component, aligned output (H = L), {Runs.StoryEpochs} epochs each. Memory cap: "
        + $"{Runs.SampleStepBudget} sample-steps per forward/backward pass (the naive loop's batch of 32 always fits; the component's "
        + "micro-batch is the largest halving of 256 that fits).");
    Console.WriteLine();
    Console.WriteLine($"| L | loop | effective batch | micro-batch | learning rate | rows seen / epoch | best epoch (of {Runs.StoryEpochs}) | validation MSE it reports | true validation MSE | peak RSS |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
    var curves = new List<Curve>();
    foreach (int length in Runs.StoryLengths)
        foreach (string loop in new[] { "naive", "component" })
        {
            string[] lines = Child(settings, "story", loop, length.ToString());
            Console.WriteLine(lines.Last());
            curves.Add(Curve.Parse(lines.First(l => l.StartsWith("curve ", StringComparison.Ordinal))));
        }
    string png = Path.Combine(settings.Output, "validation-curves.png");
    Plots.ValidationCurves(curves, png);
    Console.WriteLine();
    Console.WriteLine($"plot: {png}");
}
if (settings.Part is "3" or "all")
{
    Console.WriteLine();
    Console.WriteLine($"Part 3 — steps against samples (McCandlish et al., 2018). L = {TradeOff.InputLength}, H = {TradeOff.Horizon}, GRU hidden {TradeOff.Hidden}, "
        + $"constant learning rate {TradeOff.LearningRate} at batch {TradeOff.Batch}, square-root scaled; gradient noise scale sampled every {TradeOff.NoiseEvery} steps.");
    TradeOffRun reference = TradeOffRun.Parse(Child(settings, "tradeoff", TradeOff.Batch.ToString(), "-").Last());
    double target = reference.Validation.Min() * TradeOff.TargetMargin;
    var runs = TradeOff.Batches.Select(b => b == TradeOff.Batch ? reference
        : TradeOffRun.Parse(Child(settings, "tradeoff", b.ToString(), target.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Last())).ToList();
    Console.WriteLine($"Target: validation MSE {target:F4} ({TradeOff.TargetMargin} × the best that batch {TradeOff.Batch} reaches in {TradeOff.EpochCap(TradeOff.Batch)} epochs).");
    Console.WriteLine();
    Console.WriteLine("| batch | learning rate | steps / epoch | optimizer steps to target | epochs to target | samples to target | s / epoch | B_simple (end of run) |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    var points = new List<(double Batch, double Steps)>();
    foreach (TradeOffRun run in runs)
    {
        double? steps = run.StepsTo(target);
        if (steps is double s)
            points.Add((run.Batch, s));
        string bound = steps == run.StepsPerEpoch ? "≤ " : "";
        Console.WriteLine(steps is double st
            ? $"| {run.Batch} | {run.LearningRate:G3} | {run.StepsPerEpoch} | {bound}{st:F0} | {bound}{st / run.StepsPerEpoch:F2} | {bound}{st * run.Batch:F0} | {run.SecondsPerEpoch:F1} | {run.SimpleNoiseScale:F0} |"
            : $"| {run.Batch} | {run.LearningRate:G3} | {run.StepsPerEpoch} | not reached in {run.Validation.Length} epochs | — | — | {run.SecondsPerEpoch:F1} | {run.SimpleNoiseScale:F0} |");
    }
    var knee = TradeOffRun.FitKnee(points);
    Console.WriteLine();
    Console.WriteLine(knee is { } fit
        ? $"Fit of S(B) = S_min (1 + B_noise / B) to the {points.Count} runs: S_min {fit.MinSteps:F0} steps, knee B_noise {fit.NoiseBatch:F0}; "
        : "The steps to target do not fall with the batch as S_min (1 + B_noise / B): no knee can be fitted; ");
    Console.WriteLine(double.IsFinite(reference.SimpleNoiseScale)
        ? $"B_simple at the end of the run at batch {TradeOff.Batch} predicted the knee at {reference.SimpleNoiseScale:F0}"
          + (knee is { } k ? $" (fitted knee ÷ B_simple = {k.NoiseBatch / reference.SimpleNoiseScale:F2}); the estimates at the other batches: "
             + string.Join(", ", runs.Where(r => r.Batch != TradeOff.Batch).Select(r => $"{r.SimpleNoiseScale:F0} at {r.Batch}")) + "." : ".")
        : "B_simple: no estimate.");
    string png = Path.Combine(settings.Output, "steps-vs-samples.png");
    Plots.TradeOff(runs, target, knee, reference.SimpleNoiseScale, png);
    string curvesPng = Path.Combine(settings.Output, "validation-vs-steps.png");
    Plots.ValidationAgainstSteps(runs, target, curvesPng);
    Console.WriteLine($"plots: {png}, {curvesPng}");
}
return 0;

static string[] Child(Settings settings, params string[] run)
{
    bool viaDotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet";
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    if (viaDotnet)
        start.ArgumentList.Add(typeof(Runs).Assembly.Location);
    foreach (string argument in new[] { "--child", settings.Csv ?? "" }.Concat(run))
        start.ArgumentList.Add(argument);
    using var child = Process.Start(start)!;
    string output = child.StandardOutput.ReadToEnd();
    child.WaitForExit();
    if (child.ExitCode != 0)
        throw new InvalidOperationException($"run {string.Join(' ', run)} failed:\n{output}");
    return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Command-line settings.</summary>
internal sealed record Settings(string? Csv, string Part, string Output)
{
    public static Settings Parse(string[] args)
    {
        string? csv = null, part = "all", output = Path.Combine("artifacts", "batch-size-story");
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--part") part = args[++i];
            else if (args[i] == "--out") output = args[++i];
            else csv = args[i];
        }
        return new Settings(csv ?? DefaultCsv(), part, output);
    }

    private static string? DefaultCsv()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            string candidate = Path.Combine(dir, "..", "shared", "data", "ETTh2.csv");
            if (File.Exists(candidate))
                return Path.GetFullPath(candidate);
        }
        return null;
    }
}
