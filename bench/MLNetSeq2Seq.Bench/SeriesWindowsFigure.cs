using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Series-backed windows (issue #12, item 1): Fit on a window view keeps the series once and cuts each batch's windows
/// there; any other IDataView is copied window by window. (a) At a size where both fit: the epoch time series-backed ÷
/// copied, interleaved rounds, and whether both give bit-identical weights (compared as the bytes of the exported
/// safetensors). (b) A long series, series-backed only, in a fresh child process: peak RSS − pre-Fit RSS against
/// 3 × the series bytes + the micro-batch working set, the latter measured the same way on a short series.
/// Usage: <c>--series-windows [--rows 50000] [--rounds 3] [--big-rows 1000000] [--small-rows 20000] [--stride 1] [--big-stride 1]</c>.
/// </summary>
internal static class SeriesWindowsFigure
{
    public const string Flag = "--series-windows";
    public const string ChildFlag = "--series-windows-child";
    private const int Columns = 7, InputLength = 336, Horizon = 96, Seed = 12;

    public static int Run(string[] args)
    {
        int rows = IntArgument(args, "--rows", 50_000), rounds = IntArgument(args, "--rounds", 3), stride = IntArgument(args, "--stride", 1);
        int bigRows = IntArgument(args, "--big-rows", 1_000_000), smallRows = IntArgument(args, "--small-rows", 20_000), bigStride = IntArgument(args, "--big-stride", 1);
        Console.WriteLine($"# Series-backed windows: {Columns} columns, L = {InputLength}, H = {Horizon}, {Describe()}; machine {MachineInfo.Describe()}; load at start {MachineInfo.LoadAverage()}");
        RunRatio(rows, rounds, stride);
        RunMemory(smallRows, bigRows, bigStride);
        Console.WriteLine();
        Console.WriteLine($"load at end {MachineInfo.LoadAverage()}");
        return 0;
    }

    private static string Describe()
    {
        Seq2SeqOptions o = Options();
        return $"{o.Family}, segment {((SegmentRecurrentOptions)o.FamilyOptions!).SegmentLength}, hidden {o.HiddenSize}, batch {o.BatchSize} (micro {o.MicroBatchSize}), one epoch";
    }

    private static Seq2SeqOptions Options() => new()
    {
        Family = NetworkFamily.SegmentRecurrent, FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 48 }, HiddenSize = 32, BatchSize = 512, MicroBatchSize = 256,
        LearningRate = 1e-3, Schedule = { Kind = LearningRateSchedule.Constant }, MaxEpochs = 1, ValidationFraction = 0, Seed = Seed,
    };

    private static void RunRatio(int rows, int rounds, int stride)
    {
        var ml = new MLContext(seed: Seed);
        IDataView windows = Windows(ml, rows, stride);
        // Any other IDataView takes the copied path: a column selection hides the window view from Fit.
        IDataView copied = ml.Transforms.SelectColumns("Features", "Label").Fit(windows).Transform(windows);
        long count = windows.GetRowCount() ?? 0;
        Report.Heading($"Series-backed ÷ copied windows: {rows} rows × {Columns} columns, {count} windows (stride {stride}), {rounds} interleaved rounds");
        // Untimed: libtorch loaded and both paths' code compiled before the first timed round.
        var warmUp = new MLContext(seed: Seed);
        IDataView few = Windows(warmUp, 3_000, 1);
        TimedFit(few);
        TimedFit(warmUp.Transforms.SelectColumns("Features", "Label").Fit(few).Transform(few));
        var epochRatios = new List<double>();
        var fitRatios = new List<double>();
        var series = new List<double>();
        var copies = new List<double>();
        bool identical = true;
        for (int round = 0; round < rounds; round++)
        {
            bool seriesFirst = round % 2 == 0;
            (double Epoch, double Fit, byte[] Weights) s = default, c = default;
            for (int side = 0; side < 2; side++)
            {
                TrainingComparison.Quiesce();
                if ((side == 0) == seriesFirst)
                    s = TimedFit(windows);
                else
                    c = TimedFit(copied);
            }
            bool same = s.Weights.AsSpan().SequenceEqual(c.Weights);
            identical &= same;
            epochRatios.Add(s.Epoch / c.Epoch);
            fitRatios.Add(s.Fit / c.Fit);
            series.Add(s.Epoch);
            copies.Add(c.Epoch);
            Report.Progress($"round {round + 1}/{rounds} ({(seriesFirst ? "series first" : "copied first")}): series-backed epoch {s.Epoch:F2} s (Fit {s.Fit:F2} s), "
                + $"copied epoch {c.Epoch:F2} s (Fit {c.Fit:F2} s), epoch ratio {s.Epoch / c.Epoch:F3}, weights {(same ? "bit-identical" : "DIFFERENT")}");
        }
        Summary ratio = Summary.Of(epochRatios);
        Report.Table(new[] { "windows", "series-backed epoch s", "copied epoch s", "epoch ratio series ÷ copied", "Fit ratio", "target ≤ 1.05", "weights" },
            new[] { (IReadOnlyList<string>)new[] { count.ToString(CultureInfo.InvariantCulture), Summary.Of(series).Format("F2"), Summary.Of(copies).Format("F2"),
                ratio.Format(), Summary.Of(fitRatios).Format(), Report.Verdict(ratio.Median <= 1.05), identical ? "bit-identical every round" : "DIFFERENT" } });
    }

    private static (double Epoch, double Fit, byte[] Weights) TimedFit(IDataView data)
    {
        var ml = new MLContext(seed: Seed);
        var epochs = new List<EpochSummary>();
        Seq2SeqOptions options = Options();
        options.Progress = new SynchronousProgress<EpochSummary>(epochs.Add);
        var clock = Stopwatch.StartNew();
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(data);
        double fit = clock.Elapsed.TotalSeconds;
        using var weights = new MemoryStream();
        ml.Model.ExportSeq2SeqToPyTorch(model, weights);
        return (epochs.Sum(e => e.Seconds), fit, weights.ToArray());
    }

    private static void RunMemory(int smallRows, int bigRows, int bigStride)
    {
        Report.Heading($"Peak memory of a series-backed Fit: {bigRows} rows (stride {bigStride}) against {smallRows} rows, one fresh process each");
        var small = RunChild(smallRows, 1);
        var big = RunChild(bigRows, bigStride);
        double MiB(double kib) => kib / 1024;
        double smallSeries = SeriesBytes(smallRows) / 1048576.0, bigSeries = SeriesBytes(bigRows) / 1048576.0;
        double workingSet = Math.Max(0, MiB(small["peak_kib"] - small["before_kib"]) - 3 * smallSeries);
        double bound = 3 * bigSeries + workingSet, grown = MiB(big["peak_kib"] - big["before_kib"]);
        Report.Table(new[] { "rows", "windows", "series MiB", "RSS before Fit MiB", "peak RSS MiB", "peak − before MiB", "epoch s", "steps" },
            new[] { (smallRows, small, smallSeries), (bigRows, big, bigSeries) }.Select(r => (IReadOnlyList<string>)new[]
            {
                r.Item1.ToString(CultureInfo.InvariantCulture), r.Item2["windows"].ToString(CultureInfo.InvariantCulture), Report.F(r.Item3, "F1"),
                Report.F(MiB(r.Item2["before_kib"]), "F0"), Report.F(MiB(r.Item2["peak_kib"]), "F0"), Report.F(MiB(r.Item2["peak_kib"] - r.Item2["before_kib"]), "F0"),
                Report.F(r.Item2["epoch_s"], "F1"), r.Item2["steps"].ToString(CultureInfo.InvariantCulture),
            }));
        Report.Line($"micro-batch working set W = (peak − before) of the {smallRows}-row Fit − 3 × its series = {workingSet:F0} MiB; "
            + $"bound for {bigRows} rows: 3 × {bigSeries:F1} + {workingSet:F0} = {bound:F0} MiB; measured {grown:F0} MiB: {Report.Verdict(grown <= bound)}.");
        long windows = (long)big["windows"];
        double copiedGiB = windows * (double)(InputLength + Horizon) * Columns * sizeof(float) / (1L << 30);
        Report.Line($"The copied path at {bigRows} rows (estimated from TrainingData/SequenceDataReader.cs, not run): {windows} windows × (L + H) × {Columns} × 4 B = {copiedGiB:F1} GiB of windows; "
            + $"its feature buffer needs {windows * (double)InputLength * Columns / 1e9:F2} G floats > Array.MaxLength = {Array.MaxLength / 1e9:F2} G, so it fails after allocating that buffer "
            + $"({Array.MaxLength * 4.0 / (1L << 30):F1} GiB) and the label buffer ({windows * (double)Horizon * Columns * 4 / (1L << 30):F1} GiB).");
    }

    private static long SeriesBytes(int rows) => (long)rows * Columns * sizeof(float);

    private static Dictionary<string, double> RunChild(int rows, int stride)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location);
        start.FileName = self;
        foreach (string a in new[] { ChildFlag, rows.ToString(CultureInfo.InvariantCulture), stride.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        if (OpenMpWaitPolicy.Current() is string policy)
            start.Environment[OpenMpWaitPolicy.Variable] = policy;
        using Process child = Process.Start(start)!;
        var errorRead = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        string error = errorRead.Result;
        child.WaitForExit();
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"The memory child ({rows} rows) exited with {child.ExitCode}:\n{output}\n{error}");
        var values = MemoryChild.Parse(output);
        Report.Progress($"{rows} rows: before Fit {values["before_kib"] / 1024:F0} MiB, peak {values["peak_kib"] / 1024:F0} MiB, epoch {values["epoch_s"]:F1} s, {values["steps"]} steps");
        return values;
    }

    /// <summary>The child: a small untimed Fit first (libtorch loaded, code compiled), then the measured one.</summary>
    public static int RunChild(string[] args)
    {
        int rows = int.Parse(args[0], CultureInfo.InvariantCulture), stride = int.Parse(args[1], CultureInfo.InvariantCulture);
        var ml = new MLContext(seed: Seed);
        using (ml.Regression.Trainers.Seq2Seq(Options()).Fit(Windows(ml, 2_000, 1))) { }
        IDataView windows = Windows(ml, rows, stride);
        TrainingComparison.Quiesce();
        long before = ProcStatus.ResidentKiB();
        var epochs = new List<EpochSummary>();
        Seq2SeqOptions options = Options();
        options.Progress = new SynchronousProgress<EpochSummary>(epochs.Add);
        using (ml.Regression.Trainers.Seq2Seq(options).Fit(windows)) { }
        long peak = ProcStatus.PeakResidentKiB();
        Console.WriteLine(FormattableString.Invariant(
            $"MEMORY before_kib={before} peak_kib={peak} after_kib={ProcStatus.ResidentKiB()} epoch_s={epochs.Sum(e => e.Seconds):F3} steps={epochs.Sum(e => e.OptimizerSteps)} windows={windows.GetRowCount()}"));
        GC.KeepAlive(windows);
        return 0;
    }

    /// <summary>The window view of a generated series: daily and weekly cycles, a trend and noise per column, read once.</summary>
    private static IDataView Windows(MLContext ml, int rows, int stride)
    {
        string[] names = Enumerable.Range(0, Columns).Select(c => "C" + c).ToArray();
        IDataView series = ml.Data.LoadFromEnumerable(Generate(rows));
        return ml.Data.CreateSequenceWindows(series, new SequenceWindowOptions
        {
            InputColumnNames = names, InputLength = InputLength, Horizon = Horizon, Stride = stride, TimestampColumnName = null,
        });
    }

    private static IEnumerable<SeriesPoint> Generate(int rows)
    {
        var random = new Random(Seed);
        var point = new SeriesPoint();
        for (int t = 0; t < rows; t++)
        {
            float Value(int c) => (float)(Math.Sin(2 * Math.PI * t / 24 + c) + 0.5 * Math.Sin(2 * Math.PI * t / 168 + 2 * c) + 1e-5 * t * (c + 1) + 0.1 * (random.NextDouble() - 0.5));
            point.C0 = Value(0); point.C1 = Value(1); point.C2 = Value(2); point.C3 = Value(3); point.C4 = Value(4); point.C5 = Value(5); point.C6 = Value(6);
            yield return point;
        }
    }

    private static int IntArgument(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed class SeriesPoint
    {
        public float C0 { get; set; }
        public float C1 { get; set; }
        public float C2 { get; set; }
        public float C3 { get; set; }
        public float C4 { get; set; }
        public float C5 { get; set; }
        public float C6 { get; set; }
    }
}
