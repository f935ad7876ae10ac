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
/// Streaming Fit (issue #12, item 3; <see cref="Seq2SeqOptions.Streaming"/>) on binary IDataView files
/// (<c>SaveAsBinary</c>) of generated windows, L = 336, F = 7, H = 96, O = 7. (a) At a size where both fit: epoch time
/// streaming ÷ in memory, interleaved rounds, both reading the same file. (b) Fresh child processes, one Fit each:
/// peak RSS − pre-Fit RSS of the in-memory and the streamed Fit of the small file, and of the streamed Fit of a file of
/// ≥ 4 GB of windows (one full epoch), against the stated bound of 1 GiB (plus the model, whose training state is
/// printed). The files go to the temporary folder (free space is checked first) and are deleted at the end.
/// <c>--padding N</c> saves N more zero floats per row in a column Fit never reads ("Padding"): ML.NET's BinarySaver sizes a
/// block by the bytes of all its columns (about 80 MB), and the BinaryLoader's read-ahead holds several blocks per column
/// it reads, so a wider row means fewer rows per block and less memory for the columns that are read (docs/benchmarks.md).
/// Usage: <c>--streaming [--rows 20000] [--rounds 3] [--big-rows 360000] [--pool 4096] [--validation-fraction 0.1] [--padding 0 | --for-streaming] [--keep-files]</c>; --rounds 0 skips the ratio.
/// </summary>
internal static class StreamingFigure
{
    public const string Flag = "--streaming";
    public const string Usage = "MLNetSeq2Seq.Bench --streaming [--rows 20000] [--rounds 3] [--big-rows 360000] [--pool 4096] [--validation-fraction 0.1] [--padding 0 | --for-streaming]   streaming Fit: epoch ratio and peak RSS on a >= 4 GB file (docs/benchmarks.md)";
    public const string ChildFlag = "--streaming-child";
    private const int Columns = 7, InputLength = 336, Horizon = 96, Seed = 12;
    private const long BoundBytes = 1L << 30;

    /// <summary>Held-out fraction for validation (streamed too); the children read it from their arguments.</summary>
    private static double ValidationFraction { get; set; } = 0.1;

    /// <summary>Zero floats per row in the unread "Padding" column of the files written.</summary>
    private static int Padding { get; set; }
    /// <summary>Write with the library's SaveAsBinaryForStreaming (--for-streaming): the padding it computes itself.</summary>
    private static bool ForStreaming { get; set; }
    private static long RowBytes => (long)(InputLength + Horizon) * Columns * sizeof(float);

    public static int Run(string[] args)
    {
        int rows = IntArgument(args, "--rows", 20_000), rounds = IntArgument(args, "--rounds", 3);
        int bigRows = IntArgument(args, "--big-rows", 360_000), pool = IntArgument(args, "--pool", 4096);
        int at = Array.IndexOf(args, "--validation-fraction");
        if (at >= 0 && at + 1 < args.Length)
            ValidationFraction = double.Parse(args[at + 1], CultureInfo.InvariantCulture);
        Padding = IntArgument(args, "--padding", 0);
        ForStreaming = args.Contains("--for-streaming");
        Console.WriteLine($"# Streaming Fit: binary IDataView files of windows, {Columns} columns, L = {InputLength}, H = {Horizon} ({RowBytes} B of windows per row); "
            + $"{Describe(pool)}; {(ForStreaming ? "files written by SaveAsBinaryForStreaming (default 8 MiB blocks)" : $"files padded with {Padding} unread zero floats per row")}; machine {MachineInfo.Describe()}; load at start {MachineInfo.LoadAverage()}");
        string folder = Path.Combine(Path.GetTempPath(), "mlnetseq2seq-streaming-" + Environment.ProcessId);
        long needed = (rows + (long)bigRows) * RowBytes * 11 / 10;
        long free = new DriveInfo(Path.GetPathRoot(Path.GetFullPath(Path.GetTempPath()))!).AvailableFreeSpace;
        if (free < needed + (2L << 30))
        {
            Console.Error.WriteLine($"The temporary folder's disk has {free / 1e9:F1} GB free; this figure writes about {needed / 1e9:F1} GB (and keeps 2 GB spare). Lower --big-rows or free space.");
            return 2;
        }
        Directory.CreateDirectory(folder);
        try
        {
            string small = Path.Combine(folder, "small.idv"), big = Path.Combine(folder, "big.idv");
            Write(small, rows);
            Write(big, bigRows);
            if (rounds > 0)
                RunRatio(small, rows, rounds, pool);
            RunMemory(small, rows, big, bigRows, pool);
        }
        finally
        {
            if (args.Contains("--keep-files"))
            {
                Report.Line($"kept {folder} (--keep-files): delete it by hand");
            }
            else
            {
                Directory.Delete(folder, recursive: true);
                Report.Line($"deleted {folder}");
            }
        }
        Console.WriteLine();
        Console.WriteLine($"load at end {MachineInfo.LoadAverage()}");
        return 0;
    }

    private static string Describe(int pool)
    {
        Seq2SeqOptions o = Options(pool);
        return $"{o.Family}, segment {((SegmentRecurrentOptions)o.FamilyOptions!).SegmentLength}, hidden {o.HiddenSize}, batch {o.BatchSize} (micro {o.MicroBatchSize}), one epoch, "
            + $"validation: the last {o.ValidationFraction:P0} of the rows, streaming pool {pool} rows ({pool * RowBytes / 1048576.0:F0} MiB)";
    }

    /// <summary>Null pool: in memory.</summary>
    private static Seq2SeqOptions Options(int? pool) => new()
    {
        Family = NetworkFamily.SegmentRecurrent, FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 48 }, HiddenSize = 32, BatchSize = 512, MicroBatchSize = 256,
        LearningRate = 1e-3, Schedule = { Kind = LearningRateSchedule.Constant }, MaxEpochs = 1, ValidationFraction = ValidationFraction, ValidationGapRows = 0, Seed = Seed,
        Streaming = pool is int rows ? new() { ShufflePoolRows = rows } : null,
    };

    private static void Write(string path, int rows)
    {
        var ml = new MLContext(seed: Seed);
        var clock = Stopwatch.StartNew();
        var schema = SchemaDefinition.Create(typeof(WindowRow));
        if (Padding > 0 && !ForStreaming)
            schema["Padding"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Padding);
        else
            schema.Remove(schema["Padding"]);
        int added = 0;
        using (var stream = File.Create(path))
        {
            if (ForStreaming)
                added = ml.Data.SaveAsBinaryForStreaming(ml.Data.LoadFromEnumerable(Generate(rows), schema), stream);
            else
                ml.Data.SaveAsBinary(ml.Data.LoadFromEnumerable(Generate(rows), schema), stream);
        }
        if (ForStreaming)
            Report.Progress($"SaveAsBinaryForStreaming added {added} zero floats per row");
        long bytes = new FileInfo(path).Length;
        Report.Progress($"wrote {rows} rows ({rows * RowBytes / 1e9:F2} GB of windows) to {path}: file {bytes / 1e9:F2} GB, {clock.Elapsed.TotalSeconds:F0} s");
    }

    private static void RunRatio(string path, int rows, int rounds, int pool)
    {
        Report.Heading($"Streaming ÷ in-memory epoch time: {rows} rows ({rows * RowBytes / 1e9:F2} GB of windows) from one binary file, {rounds} interleaved rounds");
        TimedFit(path, null); // untimed: libtorch loaded and both paths compiled
        TimedFit(path, pool);
        var epochRatios = new List<double>();
        var fitRatios = new List<double>();
        var streamed = new List<double>();
        var inMemory = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            bool streamedFirst = round % 2 == 0;
            (double Epoch, double Fit) s = default, m = default;
            for (int side = 0; side < 2; side++)
            {
                TrainingComparison.Quiesce();
                if ((side == 0) == streamedFirst)
                    s = TimedFit(path, pool);
                else
                    m = TimedFit(path, null);
            }
            epochRatios.Add(s.Epoch / m.Epoch);
            fitRatios.Add(s.Fit / m.Fit);
            streamed.Add(s.Epoch);
            inMemory.Add(m.Epoch);
            Report.Progress($"round {round + 1}/{rounds} ({(streamedFirst ? "streamed first" : "in memory first")}): streamed epoch {s.Epoch:F2} s (Fit {s.Fit:F2} s), "
                + $"in-memory epoch {m.Epoch:F2} s (Fit {m.Fit:F2} s), epoch ratio {s.Epoch / m.Epoch:F3}");
        }
        Report.Table(new[] { "rows", "streamed epoch s", "in-memory epoch s", "epoch ratio streamed ÷ in memory", "Fit ratio (reading included)" },
            new[] { (IReadOnlyList<string>)new[] { rows.ToString(CultureInfo.InvariantCulture), Summary.Of(streamed).Format("F2"), Summary.Of(inMemory).Format("F2"),
                Summary.Of(epochRatios).Format(), Summary.Of(fitRatios).Format() } });
    }

    private static (double Epoch, double Fit) TimedFit(string path, int? pool)
    {
        var ml = new MLContext(seed: Seed);
        var epochs = new List<EpochSummary>();
        Seq2SeqOptions options = Options(pool);
        options.Progress = new SynchronousProgress<EpochSummary>(epochs.Add);
        var clock = Stopwatch.StartNew();
        using (ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromBinary(path))) { }
        return (epochs.Sum(e => e.Seconds), clock.Elapsed.TotalSeconds);
    }

    private static void RunMemory(string small, int rows, string big, int bigRows, int pool)
    {
        Report.Heading($"Peak memory, one Fit per fresh process: in memory and streamed at {rows} rows, streamed at {bigRows} rows");
        var points = new List<(string Side, int Rows, Dictionary<string, double> Values)>
        {
            ("in memory", rows, RunChild(small, null)),
            ($"streamed, pool {pool}", rows, RunChild(small, pool)),
            ($"streamed, pool {pool}", bigRows, RunChild(big, pool)),
            ("ML.NET cursor only (no Fit): one pass reading both columns", bigRows, RunChild(big, -1)),
        };
        var live = RunChild(big, -2);
        double MiB(double kib) => kib / 1024;
        Report.Table(new[] { "Fit", "rows", "GB of windows", "RSS before Fit MiB", "peak RSS MiB", "peak − before MiB", "epoch s (validation included)", "Fit s", "steps",
                "largest managed heap after a GC MiB", "largest GC-committed MiB", "full GCs" },
            points.Select(p => (IReadOnlyList<string>)new[]
            {
                p.Side, p.Rows.ToString(CultureInfo.InvariantCulture), Report.F(p.Rows * RowBytes / 1e9, "F2"), Report.F(MiB(p.Values["before_kib"]), "F0"),
                Report.F(MiB(p.Values["peak_kib"]), "F0"), Report.F(MiB(p.Values["peak_kib"] - p.Values["before_kib"]), "F0"), Report.F(p.Values["epoch_s"], "F1"),
                Report.F(p.Values["fit_s"], "F1"), p.Values["steps"].ToString(CultureInfo.InvariantCulture),
                Report.F(MiB(p.Values["heap_after_gc_kib"]), "F0"), Report.F(MiB(p.Values["gc_committed_kib"]), "F0"), p.Values["gen2"].ToString(CultureInfo.InvariantCulture),
            }));
        Report.Line($"ML.NET's cursor alone, with a full garbage collection every 50,000 rows: at most {live["live_managed_kib"] / 1024:F0} MiB of live managed memory "
            + $"(peak RSS − before {(live["peak_kib"] - live["before_kib"]) / 1024:F0} MiB in that run).");
        var bigPoint = points[2].Values;
        double grown = bigPoint["peak_kib"] - bigPoint["before_kib"];
        double model = bigPoint["model_bytes"]; // 5 × the exported weights: weights, gradients, two AdamW moments, the best-epoch copy
        Report.Line($"Stated bound for a streamed Fit: peak RSS − pre-Fit RSS ≤ 1024 MiB plus the model's training state (weights, gradients, two AdamW moments, "
            + $"the best-epoch copy: {model / 1048576.0:F2} MiB here). Measured at {bigRows} rows ({bigRows * RowBytes / 1e9:F2} GB of windows): {MiB(grown):F0} MiB: "
            + $"{Report.Verdict(grown * 1024 <= BoundBytes + model)}.");
        var memoryPoint = points[0].Values;
        double perRow = (memoryPoint["peak_kib"] - memoryPoint["before_kib"]) * 1024 / rows;
        Report.Line($"The in-memory Fit grew by {perRow:F0} B per row at {rows} rows ({perRow / RowBytes:F2} × the {RowBytes} B of windows); at {bigRows} rows that is "
            + $"{perRow * bigRows / (1L << 30):F1} GiB (extrapolated, not run: it needs the whole file's windows in memory, {bigRows * RowBytes / (double)(1L << 30):F1} GiB at least).");
    }

    private static Dictionary<string, double> RunChild(string path, int? pool)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location);
        start.FileName = self;
        foreach (string a in new[] { ChildFlag, path, (pool ?? 0).ToString(CultureInfo.InvariantCulture), ValidationFraction.ToString("R", CultureInfo.InvariantCulture) })
            // pool 0: in memory, −1: cursor only, −2: cursor only with a full collection every 50,000 rows (live managed bytes)
            start.ArgumentList.Add(a);
        if (OpenMpWaitPolicy.Current() is string policy)
            start.Environment[OpenMpWaitPolicy.Variable] = policy;
        using Process child = Process.Start(start)!;
        var errorRead = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        string error = errorRead.Result;
        child.WaitForExit();
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"The memory child ({path}, pool {pool}) exited with {child.ExitCode}:\n{output}\n{error}");
        var values = MemoryChild.Parse(output);
        Report.Progress($"{Path.GetFileName(path)}, {(pool is null ? "in memory" : pool < 0 ? $"cursor only ({pool})" : $"streamed (pool {pool})")}: before Fit {values["before_kib"] / 1024:F0} MiB, "
            + $"peak {values["peak_kib"] / 1024:F0} MiB, epoch {values["epoch_s"]:F1} s, Fit {values["fit_s"]:F1} s, {values["steps"]} steps; largest managed heap after a GC {values["heap_after_gc_kib"] / 1024:F0} MiB, GC committed {values["gc_committed_kib"] / 1024:F0} MiB, {values["gen2"]} full GCs");
        return values;
    }

    /// <summary>The child: a small untimed Fit of the same kind first (libtorch loaded, code compiled), the peak reset, then the measured Fit.</summary>
    public static int RunChild(string[] args)
    {
        string path = args[0];
        int poolArgument = int.Parse(args[1], CultureInfo.InvariantCulture);
        int? pool = poolArgument > 0 ? poolArgument : null;
        ValidationFraction = double.Parse(args[2], CultureInfo.InvariantCulture);
        var ml = new MLContext(seed: Seed);
        if (poolArgument < 0)
            return ReadOnly(ml, path, measureLive: poolArgument == -2);
        using (ml.Regression.Trainers.Seq2Seq(Options(pool)).Fit(ml.Data.LoadFromEnumerable(Generate(1_000)))) { }
        TrainingComparison.Quiesce();
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS (Linux): the warm-up's peak does not count
        long before = ProcStatus.ResidentKiB();
        var epochs = new List<EpochSummary>();
        Seq2SeqOptions options = Options(pool);
        options.Progress = new SynchronousProgress<EpochSummary>(epochs.Add);
        var clock = Stopwatch.StartNew();
        var sampler = new HeapSampler();
        long weightBytes;
        double fit;
        long peak;
        using (Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromBinary(path)))
        {
            fit = clock.Elapsed.TotalSeconds;
            peak = ProcStatus.PeakResidentKiB();
            sampler.Dispose();
            using var weights = new MemoryStream();
            ml.Model.ExportSeq2SeqToPyTorch(model, weights); // safetensors: the weights' bytes plus a small header
            weightBytes = weights.Length;
        }
        Console.WriteLine(FormattableString.Invariant(
            $"MEMORY before_kib={before} peak_kib={peak} after_kib={ProcStatus.ResidentKiB()} epoch_s={epochs.Sum(e => e.Seconds):F3} fit_s={fit:F3} steps={epochs.Sum(e => e.OptimizerSteps)} model_bytes={weightBytes * 5} {sampler.Fields()}"));
        return 0;
    }

    /// <summary>The ML.NET side alone: one cursor over both columns of the file, every value fetched, no Fit. What the
    /// BinaryLoader keeps in memory while it reads (blocks read ahead and decompressed) is part of any streamed Fit's peak.</summary>
    private static int ReadOnly(MLContext ml, string path, bool measureLive)
    {
        IDataView data = ml.Data.LoadFromBinary(path);
        TrainingComparison.Quiesce();
        File.WriteAllText("/proc/self/clear_refs", "5");
        long before = ProcStatus.ResidentKiB();
        var clock = Stopwatch.StartNew();
        var sampler = new HeapSampler();
        long rows = 0, live = 0;
        using (DataViewRowCursor cursor = data.GetRowCursor(new[] { data.Schema["Features"], data.Schema["Label"] }))
        {
            var features = cursor.GetGetter<VBuffer<float>>(data.Schema["Features"]);
            var labels = cursor.GetGetter<VBuffer<float>>(data.Schema["Label"]);
            VBuffer<float> f = default, l = default;
            for (; cursor.MoveNext(); rows++)
            {
                features(ref f);
                labels(ref l);
                if (measureLive && rows % 50_000 == 0)
                    live = Math.Max(live, GC.GetTotalMemory(forceFullCollection: true));
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        sampler.Dispose();
        Console.WriteLine(FormattableString.Invariant(
            $"MEMORY before_kib={before} peak_kib={ProcStatus.PeakResidentKiB()} after_kib={ProcStatus.ResidentKiB()} epoch_s={seconds:F3} fit_s={seconds:F3} steps=0 model_bytes=0 rows={rows} live_managed_kib={live / 1024} {sampler.Fields()}"));
        return 0;
    }

    /// <summary>Independent windows (a row does not repeat its neighbour's values, so the file does not compress them away):
    /// per row and column a daily and a weekly cycle of random amplitude and phase, plus noise; the label continues the input.</summary>
    private static IEnumerable<WindowRow> Generate(int rows)
    {
        var random = new Random(Seed);
        var row = new WindowRow { Padding = new float[Math.Max(Padding, 1)] };
        int steps = InputLength + Horizon;
        var values = new float[steps * Columns];
        float[] daily = Enumerable.Range(0, 24).Select(k => (float)Math.Sin(2 * Math.PI * k / 24)).ToArray();
        float[] weekly = Enumerable.Range(0, 168).Select(k => (float)Math.Sin(2 * Math.PI * k / 168)).ToArray();
        for (int n = 0; n < rows; n++)
        {
            for (int c = 0; c < Columns; c++)
            {
                float a = 0.5f + (float)random.NextDouble(), b = 0.5f * (float)random.NextDouble();
                int phase = random.Next(168);
                for (int t = 0; t < steps; t++)
                    values[t * Columns + c] = a * daily[(t + phase) % 24] + b * weekly[(t + phase) % 168] + 0.1f * ((float)random.NextDouble() - 0.5f);
            }
            Array.Copy(values, 0, row.Features, 0, row.Features.Length);
            Array.Copy(values, row.Features.Length, row.Label, 0, row.Label.Length);
            yield return row;
        }
    }

    private static int IntArgument(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed class WindowRow
    {
        [VectorType(InputLength, Columns)]
        public float[] Features { get; set; } = new float[InputLength * Columns];

        [VectorType(Horizon, Columns)]
        public float[] Label { get; set; } = new float[Horizon * Columns];

        /// <summary>Zeros that only make a saved row wider (--padding); its size is set at run time.</summary>
        [VectorType(1)]
        public float[] Padding { get; set; } = new float[1];
    }
}
