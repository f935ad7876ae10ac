using System;
using System.Diagnostics;
using MLNetSeq2Seq.Bench;
using TorchSharp;

// Side-by-side benchmarks of MLNetSeq2Seq against a hand-written TorchSharp loop; see docs/benchmarks.md.
if (args.Length > 0 && args[0] == MemoryChild.Flag)
{
    OpenMpWaitPolicy.Apply("default"); // the parent passes its policy in the environment
    torch.set_num_threads(2);
    return MemoryChild.Run(args[1..]);
}

if (args.Length > 0 && args[0] == OpenMpLoadChild.Flag)
    return OpenMpLoadChild.Run(args[1..]); // loads libtorch through the library, under the policy of its environment

if (args.Length > 0 && args[0] == OpenMpLoadFigure.Flag)
{
    try
    {
        return OpenMpLoadFigure.Run(args[1..]); // children only: this process never loads libtorch
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }
}

if (args.Length > 0 && args[0] == BlendRun.Flag)
    return BlendRun.Run(args[1..]);
if (args.Length > 0 && args[0] == LookbackRun.Flag)
    return LookbackRun.Run(args);
if (args.Length > 0 && args[0] == AccuracyRun.Flag)
{
    OpenMpWaitPolicy.Apply("passive");
    torch.set_num_threads(2);
    return AccuracyRun.Run(args[1..]);
}

if (args.Length > 0 && args[0] == FutureInputsRun.Flag)
{
    OpenMpWaitPolicy.Apply("passive");
    torch.set_num_threads(2);
    return FutureInputsRun.Run(args[1..]);
}

if (args.Length > 0 && args[0] == QuantileCoverageRun.Flag)
{
    OpenMpWaitPolicy.Apply("passive");
    torch.set_num_threads(2);
    return QuantileCoverageRun.Run(args[1..]);
}

if (args.Length > 0 && args[0] == IntervalSmoothingRun.Flag)
{
    OpenMpWaitPolicy.Apply("passive");
    torch.set_num_threads(2);
    return IntervalSmoothingRun.Run(args[1..]);
}

if (args.Length > 0 && args[0] == ParallelFits.Flag)
{
    OpenMpWaitPolicy.Apply("passive");
    torch.set_num_threads(2);
    return ParallelFits.Run(args[1..]);
}

if (args.Length > 0 && args[0] is SeriesWindowsFigure.Flag or SeriesWindowsFigure.ChildFlag)
{
    OpenMpWaitPolicy.Apply("passive");
    torch.set_num_threads(2);
    return args[0] == SeriesWindowsFigure.Flag ? SeriesWindowsFigure.Run(args[1..]) : SeriesWindowsFigure.RunChild(args[1..]);
}

if (args.Length > 0 && args[0] == NoiseScaleOverhead.Flag)
{
    OpenMpWaitPolicy.Apply("passive");
    torch.set_num_threads(2);
    return NoiseScaleOverhead.Run(args[1..]);
}

if (args.Length > 0 && args[0] == LoopPartsFigure.Flag)
{
    OpenMpWaitPolicy.Apply("passive");
    torch.set_num_threads(2);
    return LoopPartsFigure.Run(args[1..]);
}

if (args.Length > 0 && args[0] == ElectricityFigure.Flag)
{
    OpenMpWaitPolicy.Apply("passive");
    torch.set_num_threads(2);
    return ElectricityFigure.Run(args[1..]);
}

if (args.Length > 0 && args[0] is StreamingFigure.Flag or StreamingFigure.ChildFlag)
{
    OpenMpWaitPolicy.Apply("passive");
    torch.set_num_threads(2);
    return args[0] == StreamingFigure.Flag ? StreamingFigure.Run(args[1..]) : StreamingFigure.RunChild(args[1..]);
}

if (args.Length > 0 && args[0] is "--help" or "-h")
{
    Console.WriteLine(BenchArguments.Usage);
    Console.WriteLine(OpenMpLoadFigure.Usage);
    Console.WriteLine(StreamingFigure.Usage);
    return 0;
}

BenchArguments arguments;
try
{
    arguments = BenchArguments.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

// Before libtorch (and its OpenMP runtime) loads.
string waitPolicy = OpenMpWaitPolicy.Apply(arguments.OmpWait);
torch.set_num_threads(2);
var clock = Stopwatch.StartNew();
Console.WriteLine("# MLNetSeq2Seq benchmarks");
Console.WriteLine();
Console.WriteLine($"- started {DateTime.Now:yyyy-MM-dd HH:mm:ss}, machine: {MachineInfo.Describe()}");
Console.WriteLine($"- torch threads {torch.get_num_threads()}, OMP_WAIT_POLICY {waitPolicy}, load average at start {MachineInfo.LoadAverage()}");
Console.WriteLine($"- settings: {arguments}");

if (arguments.Figures.Overlaps(new[] { 1, 2, 3, 5 }))
{
    var warmUp = Stopwatch.StartNew();
    TrainingFigures.WarmUp(arguments.WarmupEpochs);
    Console.WriteLine($"- warm-up: {arguments.WarmupEpochs} untimed epochs per side at L=24, N=512 ({warmUp.Elapsed.TotalSeconds:F1} s)");
}
if (arguments.Figures.Overlaps(new[] { 1, 2, 5 }))
    new TrainingFigures(arguments).Run();
if (arguments.Figures.Contains(3))
    InferenceFigure.Run(arguments);
if (arguments.Figures.Contains(4))
    MemoryFigure.Run(arguments);

Console.WriteLine();
Console.WriteLine($"Total {clock.Elapsed.TotalMinutes:F1} min; load average at the end {MachineInfo.LoadAverage()}.");
return 0;
