using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Tests.Training;
using MLNetSeq2Seq.Training;
using Xunit;

namespace MLNetSeq2Seq.Tests.Reliability;

public sealed class CancellationTests
{
    private const int MicroBatchesPerStep = 4;

    private static Seq2SeqOptions Options(int maxEpochs)
    {
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs);
        options.BatchSize = 16;
        options.MicroBatchSize = 16 / MicroBatchesPerStep;
        return options;
    }

    [Fact]
    public void CancelExecution_in_the_middle_of_a_step_stops_Fit_after_that_step_and_leaves_only_the_last_checkpoint()
    {
        var ml = new MLContext(seed: 1);
        using var folder = new TemporaryFolder();
        Seq2SeqOptions options = Options(maxEpochs: 5);
        options.Checkpoints = new() { Directory = folder.Path };
        // Epoch 2, step 2, second micro-batch: the step's last two micro-batches still run, then Fit stops.
        var canceller = new CancelAt(ml, epoch: 2, microBatch: MicroBatchesPerStep + 2);

        Assert.ThrowsAny<OperationCanceledException>(() => TrainingTestKit.Estimator(ml, options, canceller).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(160, seed: 3))));

        Assert.Equal(MicroBatchesPerStep - 2, canceller.MicroBatchesAfterCancel);
        Assert.Equal(new[] { TrainingCheckpoint.FileName }, Directory.GetFiles(folder.Path).Select(Path.GetFileName)); // no *.tmp-* file
        Assert.Equal(1, TrainingCheckpoint.ReadFrom(folder.Path).CompletedEpochs);
    }

    [Fact]
    public void CancelExecution_during_the_range_test_that_Fit_runs_for_a_null_LearningRate_stops_it_after_that_step()
    {
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions options = Options(maxEpochs: 5);
        options.LearningRate = null; // Fit runs the learning-rate range test first
        var canceller = new CancelAt(ml, epoch: 1, microBatch: 3 * MicroBatchesPerStep + 2); // step 4 of the sweep

        Assert.ThrowsAny<OperationCanceledException>(() => TrainingTestKit.Estimator(ml, options, canceller).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(160, seed: 3))));

        Assert.Equal(MicroBatchesPerStep - 2, canceller.MicroBatchesAfterCancel);
    }

    [Fact]
    public async Task CancelExecution_from_another_thread_stops_FindSeq2SeqLearningRate()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(160, seed: 3));
        // A sweep that never diverges and would run for many minutes.
        var sweep = new LearningRateRangeTestOptions { StartLearningRate = 1e-9, EndLearningRate = 1e-8, StepCount = 1_000_000 };

        Task<LearningRateRangeTestResult> running = Task.Run(() => ml.Regression.Trainers.FindSeq2SeqLearningRate(data, Options(maxEpochs: 1), sweep));
        await Task.Delay(TimeSpan.FromSeconds(2));
        ml.CancelExecution();

        Assert.True(await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(60))) == running, "the range test did not stop");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    /// <summary>Calls CancelExecution during the given micro-batch (1-based, counted within the epoch) and counts the ones after.</summary>
    private sealed class CancelAt(MLContext ml, int epoch, int microBatch) : ITrainingObserver
    {
        private int _seenInEpoch;
        private bool _cancelled;

        public int MicroBatchesAfterCancel { get; private set; }

        public void OnMicroBatch(int currentEpoch, ReadOnlySpan<long> rows)
        {
            if (_cancelled)
            {
                MicroBatchesAfterCancel++;
                return;
            }
            if (currentEpoch == epoch && ++_seenInEpoch == microBatch)
            {
                ml.CancelExecution();
                _cancelled = true;
            }
        }

        public void OnEpochEnd(int currentEpoch, SequenceNetwork network)
        {
        }
    }
}
