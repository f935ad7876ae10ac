using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Tests.ChildProcess;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

/// <summary>
/// The out-of-memory backoff against libtorch's real CPU allocator: a child process caps its own address space
/// (setrlimit RLIMIT_AS) just above what a step needs at a small micro-batch, so the first step at the whole batch
/// makes the allocator refuse, and the backoff must recover from that real refusal.
/// </summary>
public sealed class RealOutOfMemoryTests
{
    public const string Command = "train-under-address-space-limit";
    private const string BackoffMarker = "BACKOFF";
    private const string PeakMarker = "PEAK-ABOVE-BASELINE-MB";
    private const string RefusalMarker = "REFUSED";
    private const int SequenceLength = 256, FeatureCount = 4, Horizon = 8;

    public sealed class LongRow
    {
        [VectorType(SequenceLength, FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        [VectorType(Horizon, FeatureCount)]
        public float[] Label { get; set; } = Array.Empty<float>();
    }

    private static List<LongRow> Rows(int count)
    {
        var random = new Random(5);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var features = new float[SequenceLength * FeatureCount];
            for (int i = 0; i < features.Length; i++)
                features[i] = (float)Math.Sin(i * 0.01 * (1 + random.NextDouble())) + 0.1f * (float)random.NextDouble();
            return new LongRow { Features = features, Label = features.Skip(features.Length - Horizon * FeatureCount).Select(v => 0.5f * v).ToArray() };
        }).ToList();
    }

    // Long sequences with a small network: memory grows with micro-batch × sequence length (the recurrence keeps every
    // step's activations for backward) while the compute stays small.
    private static Seq2SeqOptions Options(int? microBatchSize, int maxEpochs) => new()
    {
        HiddenSize = 64,
        BatchSize = 128,
        MicroBatchSize = microBatchSize,
        MaxEpochs = maxEpochs,
        LearningRate = 1e-3,
        Seed = 3,
    };

    [Fact]
    public void A_real_allocator_refusal_halves_the_micro_batch_and_ends_bitwise_like_a_run_that_started_small()
    {
        using var folder = new TemporaryFolder();

        ChildRun backedOff = RunChild("auto", folder.File("backed-off.bin"));

        // libtorch's CPU allocator refused, for real, and the backoff halved from the whole batch (128) down to a
        // micro-batch that fits.
        Assert.NotEmpty(backedOff.Refusals);
        Assert.All(backedOff.Refusals, r => Assert.Contains("can't allocate memory", r));
        Assert.NotEmpty(backedOff.Backoffs);
        Assert.Equal(128, backedOff.Backoffs[0].From);
        Assert.All(backedOff.Backoffs, b => Assert.Equal(b.From / 2, b.To));
        int settled = backedOff.Backoffs[^1].To;
        Assert.True(backedOff.Backoffs.Count == backedOff.Refusals.Count, backedOff.Output);

        // A run that starts at the micro-batch the backoff settled on, under the same cap, needs no backoff and ends
        // with the same weights, bit for bit: a refused pass left nothing behind.
        ChildRun smallFromStart = RunChild(settled.ToString(CultureInfo.InvariantCulture), folder.File("small.bin"));
        Assert.Empty(smallFromStart.Refusals);
        Assert.Empty(smallFromStart.Backoffs);
        Assert.True(File.ReadAllBytes(folder.File("backed-off.bin")).AsSpan().SequenceEqual(File.ReadAllBytes(folder.File("small.bin"))),
            "the backed-off run's weights differ from the run that started at a micro-batch of " + settled);
    }

    private sealed record ChildRun(string Output, List<string> Refusals, List<(int From, int To)> Backoffs);

    // Measured here above the warmed-up process (VmPeak − VmSize, no cap): a run at micro-batch 32 peaks about 20 MB
    // higher, at 64 about 49 MB, at the whole batch of 128 about 94 MB. A 70 MB cap refuses the whole batch during its
    // forward pass and leaves the half batch 20 MB of room. (With a 40 MB cap the retry at 64 hit the cap inside
    // libtorch where it cannot throw, and the process aborted with std::bad_alloc: see docs/reliability.md.)
    private const string MarginMegabytes = "70";

    private static ChildRun RunChild(string microBatch, string weightsFile)
    {
        // A fixed mmap threshold and one malloc arena keep glibc's address-space use proportional to what libtorch
        // asks for: large tensors are mapped and unmapped one by one, and no per-thread 64 MB arena appears mid-run.
        // One compute thread in both children, so that bitwise equality cannot depend on how each picked its threads.
        // W^X off: with it, each piece of code the JIT writes after the cap (the backoff path runs first when the
        // allocator has just refused) needs a second, writable mapping of fresh address space, and the runtime aborted
        // with "Failed to create RW mapping for RX memory" (exit 134) in one CI run. The cap is for libtorch, not the JIT.
        var environment = new Dictionary<string, string>
        {
            ["MALLOC_ARENA_MAX"] = "1",
            ["MALLOC_MMAP_THRESHOLD_"] = "65536",
            ["OMP_NUM_THREADS"] = "1",
            ["DOTNET_EnableWriteXorExecute"] = "0",
        };
        using var child = ChildProcessRunner.Start(environment, Command, MarginMegabytes, microBatch, weightsFile);
        var errors = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        if (!child.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException("the child training under an address-space limit ran longer than 5 minutes");
        }
        Assert.True(child.ExitCode == 0, $"the child (micro-batch {microBatch}) exited with {child.ExitCode}:\n{output}\n{errors.Result}");
        string[] lines = output.Split('\n');
        var backoffs = lines.Where(l => l.StartsWith(BackoffMarker, StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"micro-batches of (\d+) samples.*micro-batches of (\d+)"))
            .Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();
        var refusals = lines.Where(l => l.StartsWith(RefusalMarker, StringComparison.Ordinal)).ToList();
        return new ChildRun(output, refusals, backoffs);
    }

    /// <summary>Child process: args = [margin MB above the warmed-up address space, or "none"] [micro-batch or "auto"]
    /// [file for the trained weights]. Warms up with one epoch at a micro-batch of 16 (loads libtorch, starts its
    /// threads), caps the address space, trains, and writes the network's weights.</summary>
    public static int TrainUnderAddressSpaceLimit(string[] args)
    {
        int? micro = args[1] == "auto" ? null : int.Parse(args[1], CultureInfo.InvariantCulture);
        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) =>
        {
            if (e.Message.Contains("out of memory", StringComparison.Ordinal))
                Console.WriteLine($"{BackoffMarker} {e.Message}");
        };
        // Every native error TorchSharp raises, as it is thrown: shows which allocation libtorch refused, and how.
        AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
        {
            if (e.Exception is ExternalException)
                Console.WriteLine($"{RefusalMarker} {e.Exception.Message.Split('\n')[0]}");
        };
        IDataView data = ml.Data.LoadFromEnumerable(Rows(128));
        using (ml.Regression.Trainers.Seq2Seq(Options(16, maxEpochs: 1)).Fit(data))
        {
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long baseline = AddressSpaceLimit.VirtualMemory("VmSize");
        if (args[0] != "none")
            AddressSpaceLimit.Set(baseline + long.Parse(args[0], CultureInfo.InvariantCulture) * 1024 * 1024);

        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(Options(micro, maxEpochs: 2)).Fit(data);
        File.WriteAllBytes(args[2], NetworkWeights.Save(model.Network));
        Console.WriteLine($"{PeakMarker} {(AddressSpaceLimit.VirtualMemory("VmPeak") - baseline) / (1024 * 1024)}");
        return 0;
    }
}
