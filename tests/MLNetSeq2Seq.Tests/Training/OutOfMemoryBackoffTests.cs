using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML;
using MLNetSeq2Seq.Training;
using TorchSharp;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

public sealed class OutOfMemoryBackoffTests
{
    [Fact]
    public void Running_out_of_memory_halves_the_micro_batch_and_ends_like_a_run_that_started_small()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { if (e.Message.Contains("out of memory")) messages.Add(e.Message); };
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(300, seed: 19));
        Seq2SeqOptions Options(int? micro)
        {
            var o = SyntheticSequences.SmallOptions(maxEpochs: 2);
            o.BatchSize = 64;
            o.MicroBatchSize = micro;
            return o;
        }
        var limit = new TrainingTestKit.MemoryLimit(largestMicroBatch: 16);

        using var backedOff = TrainingTestKit.Estimator(ml, Options(null), limit).Fit(data);
        using var smallFromStart = ml.Regression.Trainers.Seq2Seq(Options(16)).Fit(data);

        Assert.Equal(new[] { 64, 32, 16 }, limit.Attempts.Take(3));
        Assert.All(limit.Attempts.Skip(3), size => Assert.True(size <= 16));
        Assert.Equal(2, messages.Count); // logged once per change: 64 → 32, 32 → 16
        Assert.Equal(0, TrainingTestKit.MaxRelativeDifference(TrainingTestKit.Weights(backedOff), TrainingTestKit.Weights(smallFromStart)));
        Assert.Equal(smallFromStart.TrainingHistory.Epochs.Select(e => e.TrainLoss), backedOff.TrainingHistory.Epochs.Select(e => e.TrainLoss));
    }

    [Fact]
    public void MaxMicroBatchSize_skips_the_probing()
    {
        var ml = new MLContext(seed: 1);
        var options = SyntheticSequences.SmallOptions(maxEpochs: 1);
        options.BatchSize = 64;
        options.MaxMicroBatchSize = 16;
        var limit = new TrainingTestKit.MemoryLimit(largestMicroBatch: 16);

        using var model = TrainingTestKit.Estimator(ml, options, limit).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(100, seed: 1)));

        Assert.All(limit.Attempts, size => Assert.True(size <= 16));
    }

    [Fact]
    public void Out_of_memory_at_one_sample_fails_saying_what_was_tried()
    {
        var ml = new MLContext(seed: 1);
        var options = SyntheticSequences.SmallOptions(maxEpochs: 1);
        options.BatchSize = 16;

        var error = Assert.Throws<InsufficientMemoryException>(() =>
            TrainingTestKit.Estimator(ml, options, new TrainingTestKit.MemoryLimit(largestMicroBatch: 0)).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(40, seed: 1))));

        Assert.Contains("16, 8, 4, 2, 1", error.Message);
        Assert.IsType<ExternalException>(error.InnerException);
    }

    [Fact]
    public void A_real_cpu_allocation_failure_is_recognised_as_out_of_memory()
    {
        TorchRuntime.EnsureLoaded();
        // Far more than any machine can reserve: libtorch's CPU allocator refuses it and the process stays usable.
        var error = Assert.ThrowsAny<Exception>(() => torch.empty(new long[] { 1L << 46 }, dtype: torch.float32));

        Assert.True(OutOfMemory.Is(error), error.GetType() + ": " + error.Message);
        Assert.False(OutOfMemory.Is(new ExternalException("shape '[2, 3]' is invalid for input of size 7")));
        using var stillWorks = torch.ones(3);
        Assert.Equal(3, stillWorks.sum().ToSingle());
    }
}
