using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// An Electricity-shaped data set (issue #12): S series × T hourly rows in long form (series id, value; rows sorted by
/// time, so the series interleave as in a melted wide table), daily and weekly seasonality plus noise, each series at
/// its own level. One global channel-independent model (the forecasting defaults: segment-recurrent GRU, d = 256,
/// segments of 24) at L = 96, H = 96, trained on the training windows of a per-series 0.7 / 0.1 / 0.2 split with
/// per-series statistics. Reports the time to read and window the data, the epoch time, samples/s, the training step's
/// FLOP/s (estimated from the architecture) as a fraction of this machine's fp32 matmul peak measured in the same run,
/// and peak memory. Usage: <c>--electricity [--series 321] [--rows 26304] [--stride 1] [--epochs 1] [--batch 256]</c>;
/// a stride above 1 (or fewer series) keeps the run to minutes on 2 cores: say which was run.
/// </summary>
internal static class ElectricityFigure
{
    public const string Flag = "--electricity";
    private const int InputLength = 96, Horizon = 96, Seed = 21;

    public static int Run(string[] args)
    {
        int seriesCount = IntArgument(args, "--series", 321), rows = IntArgument(args, "--rows", 26_304), stride = IntArgument(args, "--stride", 1);
        int epochs = IntArgument(args, "--epochs", 1), batch = IntArgument(args, "--batch", 256);
        Console.WriteLine($"# Electricity-shaped long-form data: {seriesCount} series × {rows} hourly rows, L = {InputLength}, H = {Horizon}, stride {stride}, {epochs} epoch(s), batch {batch}");
        Console.WriteLine($"machine {MachineInfo.Describe()}; torch threads {torch.get_num_threads()}; load at start {MachineInfo.LoadAverage()}");

        Report.Heading("fp32 matmul peak of this machine (torch.mm, n × n, median of 5 after a warm-up)");
        double peak = new[] { 512, 1024, 2048 }.Select(MatmulFlops).Max();
        Report.Line($"peak: {peak / 1e9:F1} GFLOP/s");

        var ml = new MLContext(seed: Seed);
        long rssStart = ProcStatus.ResidentKiB();
        var clock = Stopwatch.StartNew();
        IDataView longForm = ml.Data.LoadFromEnumerable(Generate(seriesCount, rows));
        var windowOptions = new SequenceWindowOptions
        {
            InputColumnNames = new[] { "Value" }, InputLength = InputLength, Horizon = Horizon, Stride = stride,
            SeriesColumnName = "Series", SeriesStandardization = SeriesStandardization.PerSeries,
        };
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsByFractions(longForm, windowOptions, 0.7, 0.1);
        double windowSeconds = clock.Elapsed.TotalSeconds;
        long trainWindows = split.Train.GetRowCount() ?? 0;
        Report.Progress($"read {seriesCount * (long)rows} long-form rows and cut {trainWindows} training windows in {windowSeconds:F1} s");

        var options = new Seq2SeqForecastingOptions();
        options.Horizon = Horizon;
        options.MaxEpochs = epochs;
        options.BatchSize = batch;
        options.Schedule.Kind = LearningRateSchedule.Constant;
        options.ValidationFraction = 0;
        options.Seed = Seed;
        var summaries = new List<EpochSummary>();
        options.Progress = new SynchronousProgress<EpochSummary>(e =>
        {
            summaries.Add(e);
            Report.Progress($"epoch {e.Epoch}: {e.Seconds:F1} s, {e.OptimizerSteps} steps, train loss {e.TrainLoss:F4}");
        });
        TrainingComparison.Quiesce();
        long rssBeforeFit = ProcStatus.ResidentKiB();
        clock.Restart();
        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(options).Fit(split.Train);
        double fitSeconds = clock.Elapsed.TotalSeconds;
        long peakKiB = ProcStatus.PeakResidentKiB();
        // The machine is shared: measure the peak again after Fit and keep the higher (a lower peak would flatter the fraction).
        Report.Heading("fp32 matmul peak again, after Fit");
        peak = Math.Max(peak, new[] { 512, 1024, 2048 }.Select(MatmulFlops).Max());

        double epochSeconds = summaries.Select(e => e.Seconds).OrderBy(s => s).ElementAt(summaries.Count / 2);
        double samplesPerSecond = trainWindows / epochSeconds;
        double flopsPerSample = TrainingFlopsPerSample((options.FamilyOptions as SegmentRecurrentOptions ?? new SegmentRecurrentOptions()).SegmentLength, options.HiddenSize, options.LayerCount);
        double achieved = samplesPerSecond * flopsPerSample;
        double seriesMiB = seriesCount * (double)rows * sizeof(float) / 1048576;
        Report.Heading("Result");
        Report.Table(new[] { "series × rows", "training windows", "read + window s", "epoch s (median)", "samples/s", "est. GFLOP/s of the step", "matmul peak GFLOP/s", "fraction of peak", "RSS before Fit MiB", "peak RSS MiB", "series MiB" },
            new[] { (IReadOnlyList<string>)new[]
            {
                $"{seriesCount} × {rows}", trainWindows.ToString(CultureInfo.InvariantCulture), Report.F(windowSeconds, "F1"), Report.F(epochSeconds, "F1"),
                Report.F(samplesPerSecond, "F0"), Report.F(achieved / 1e9, "F2"), Report.F(peak / 1e9, "F1"), Report.Percent(achieved / peak, 1),
                Report.F(rssBeforeFit / 1024.0, "F0"), Report.F(peakKiB / 1024.0, "F0"), Report.F(seriesMiB, "F1"),
            } });
        Report.Line($"FLOPs per training sample (estimate: 3 × the forward matmuls, {flopsPerSample / 1e6:F1} M): embedding Linear(24 → d) and one GRU step per "
            + $"input segment, one GRU step and Linear(d → 24) per output segment, d = {options.HiddenSize}, {options.LayerCount} layer(s); element-wise work not counted. "
            + $"Fit {fitSeconds:F1} s in all; RSS at start {rssStart / 1024.0:F0} MiB; load at end {MachineInfo.LoadAverage()}.");
        return 0;
    }

    /// <summary>Forward matmul FLOPs of the segment-recurrent network for one univariate sample, times 3 for backward.</summary>
    private static double TrainingFlopsPerSample(int segment, int hidden, int layers)
    {
        int inputSegments = (InputLength + segment - 1) / segment, outputSegments = (Horizon + segment - 1) / segment;
        double gruStep = layers * 2.0 * 3 * (2.0 * hidden * hidden);
        double forward = inputSegments * (2.0 * segment * hidden + gruStep) + outputSegments * (gruStep + 2.0 * hidden * segment);
        return 3 * forward;
    }

    private static double MatmulFlops(int n)
    {
        using var scope = torch.NewDisposeScope();
        Tensor a = torch.randn(n, n), b = torch.randn(n, n);
        int repeats = Math.Max(2, (int)(4e9 / (2.0 * n * n * n)));
        torch.mm(a, b).Dispose();
        var rates = new List<double>();
        for (int round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < repeats; i++)
                torch.mm(a, b).Dispose();
            rates.Add(repeats * 2.0 * n * n * n / clock.Elapsed.TotalSeconds);
        }
        double median = rates.OrderBy(r => r).ElementAt(2);
        Report.Progress($"n = {n}: {median / 1e9:F1} GFLOP/s (median of 5 × {repeats} products)");
        return median;
    }

    /// <summary>Rows in time order, every series at each hour: level × (1 + daily + weekly cycle) + noise.</summary>
    private static IEnumerable<LongFormPoint> Generate(int seriesCount, int rows)
    {
        var random = new Random(Seed);
        string[] ids = Enumerable.Range(1, seriesCount).Select(i => $"MT_{i:D3}").ToArray();
        double[] level = ids.Select(_ => 50 + 950 * random.NextDouble()).ToArray();
        double[] phase = ids.Select(_ => 2 * Math.PI * random.NextDouble()).ToArray();
        for (int t = 0; t < rows; t++)
            for (int s = 0; s < seriesCount; s++)
            {
                double value = level[s] * (1 + 0.3 * Math.Sin(2 * Math.PI * t / 24 + phase[s]) + 0.15 * Math.Sin(2 * Math.PI * t / 168 + 2 * phase[s]) + 0.05 * (random.NextDouble() - 0.5));
                yield return new LongFormPoint { Series = ids[s], Value = (float)value };
            }
    }

    private static int IntArgument(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed class LongFormPoint
    {
        public string Series { get; set; } = "";
        public float Value { get; set; }
    }
}
