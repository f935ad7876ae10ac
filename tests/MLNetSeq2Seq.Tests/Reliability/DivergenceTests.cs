using System;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Tests.Training;
using MLNetSeq2Seq.Training;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Reliability;

public sealed class DivergenceTests
{
    private const int Rows = 160;
    private const int BadRow = 57;

    private static Seq2SeqOptions ExplodingOptions(int maxEpochs)
    {
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs);
        options.LearningRate = 1e6;
        options.GradientClipNorm = null;
        options.Schedule.Kind = LearningRateSchedule.Constant;
        return options;
    }

    [Fact]
    public void A_learning_rate_of_1e6_stops_Fit_naming_epoch_step_and_rate_and_suggesting_the_range_test()
    {
        var ml = new MLContext(seed: 1);
        var log = ReliabilityKit.CaptureLog(ml);

        var error = Assert.Throws<TrainingDivergedException>(() =>
            ml.Regression.Trainers.Seq2Seq(ExplodingOptions(maxEpochs: 3)).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(Rows, seed: 3))));

        int stepsPerEpoch = Rows / 16;
        Assert.Equal(1, error.Epoch);
        Assert.InRange(error.Step, 1, stepsPerEpoch);
        Assert.Equal(1e6, error.LearningRate);
        Assert.Contains($"optimizer step {error.Step} of the run (step {error.Step} of {stepsPerEpoch} in epoch 1), at learning rate 1E+06", error.Message);
        Assert.Contains("FindSeq2SeqLearningRate", error.Message);
        Assert.Null(error.Model); // no epoch ended before the divergence: nothing to keep
        Assert.Contains(log, m => m.Contains("became NaN or infinite"));
    }

    [Fact]
    public void The_reported_step_is_exactly_the_first_step_whose_loss_overflowed()
    {
        // A label of 1e20 squares to infinity in float32: the step holding that row is the first bad one.
        var ml = new MLContext(seed: 1);
        var rows = ReliabilityKit.RowsWith(Rows, seed: 3, BadRow, row => row.Label[3] = 1e20f);
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 2);

        var error = Assert.Throws<TrainingDivergedException>(() => ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(rows)));

        EpochPlan plan = EpochPlan.Create(Rows, options.BatchSize, seed: 1, epoch: 1);
        int expectedStep = 1 + plan.Steps.ToList().FindIndex(s => plan.Order.AsSpan(s.Start, s.Count).Contains(BadRow));
        Assert.Equal(1, error.Epoch);
        Assert.Equal(expectedStep, error.Step);
        var schedule = new LearningRateScheduler(options, options.LearningRate!.Value, totalSteps: Rows / options.BatchSize * options.MaxEpochs);
        Assert.Equal(schedule.RateAt(expectedStep - 1), error.LearningRate); // one-cycle: the rate of that very step
    }

    [Fact]
    public void A_NaN_validation_loss_is_divergence_and_the_exception_hands_back_the_best_validation_epochs_weights()
    {
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 5);
        options.ValidationFraction = 0.2;
        var observer = new Poisoner(fromEpoch: 2); // NaN weights after epoch 2's steps: epoch 2 validates NaN

        var error = Assert.Throws<TrainingDivergedException>(() =>
            TrainingTestKit.Estimator(ml, options, observer).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(Rows, seed: 3))));

        int stepsPerEpoch = (int)Math.Ceiling(Rows * 0.8 / options.BatchSize);
        Assert.Equal(2, error.Epoch); // not "no improvement" followed by a divergence one epoch later
        Assert.Equal(2 * stepsPerEpoch, error.Step);
        Assert.Contains("the validation MSE became NaN after epoch 2", error.Message);
        Assert.NotNull(error.Model);
        using Seq2SeqTransformer kept = error.Model!;
        Assert.Equal(1, kept.TrainingHistory.BestEpoch);
        Assert.Single(kept.TrainingHistory.Epochs);
        foreach (var (name, value) in observer.Snapshots[1])
            Assert.True(TensorAssert.Identical(kept.Network.state_dict()[name], value), $"{name} is not epoch 1's");
        float[] scores = Seq2SeqTransformerTests.Scores(ml, kept);
        Assert.All(scores, s => Assert.True(float.IsFinite(s)));
    }

    [Fact]
    public void Without_validation_the_exception_hands_back_the_last_epoch_that_ended_with_finite_weights()
    {
        var ml = new MLContext(seed: 1);
        var observer = new Poisoner(fromEpoch: 3); // epoch 3 ends with NaN weights, epoch 4 diverges at its first step

        var error = Assert.Throws<TrainingDivergedException>(() =>
            TrainingTestKit.Estimator(ml, ReliabilityKit.TinyOptions(maxEpochs: 6), observer).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(Rows, seed: 3))));

        Assert.Equal(4, error.Epoch);
        Assert.Equal(3 * (Rows / 16) + 1, error.Step);
        Assert.Contains("the weights of epoch 2 (the last epoch that ended with finite weights)", error.Message);
        using Seq2SeqTransformer kept = Assert.IsType<Seq2SeqTransformer>(error.Model);
        foreach (var (name, value) in observer.Snapshots[2])
            Assert.True(TensorAssert.Identical(kept.Network.state_dict()[name], value), $"{name} is not epoch 2's");
    }

    [Fact]
    public void SkipNonFiniteSteps_skips_the_bad_step_of_every_epoch_logs_it_and_still_learns()
    {
        var ml = new MLContext(seed: 1);
        var log = ReliabilityKit.CaptureLog(ml);
        var rows = ReliabilityKit.RowsWith(Rows, seed: 3, BadRow, row => row.Label[3] = 1e20f);
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 3);
        options.SkipNonFiniteSteps = true;

        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(rows));

        int stepsPerEpoch = Rows / options.BatchSize;
        string[] warnings = log.Where(m => m.Contains("optimizer steps in epoch")).ToArray();
        Assert.Equal(3, warnings.Length);
        for (int epoch = 1; epoch <= 3; epoch++)
            Assert.Contains(warnings, m => m.Contains($"skipped 1 of {stepsPerEpoch} optimizer steps in epoch {epoch}") && m.Contains($"{epoch} in all so far"));
        Assert.All(model.TrainingHistory.Epochs, e => Assert.Equal(stepsPerEpoch - 1, e.OptimizerSteps));
        Assert.All(model.TrainingHistory.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss)));
        Assert.True(model.TrainingHistory.Epochs[^1].TrainLoss < model.TrainingHistory.Epochs[0].TrainLoss);
        Assert.All(model.Network.parameters(), p => Assert.True(p.isfinite().all().ToBoolean()));
    }

    [Fact]
    public void With_a_learning_rate_of_1e6_SkipNonFiniteSteps_skips_from_the_step_the_default_reports_and_stops_when_an_epoch_has_no_good_step()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(Rows, seed: 3));
        long reported = Assert.Throws<TrainingDivergedException>(() => ml.Regression.Trainers.Seq2Seq(ExplodingOptions(maxEpochs: 2)).Fit(data)).Step;

        var skipping = new MLContext(seed: 1);
        var log = ReliabilityKit.CaptureLog(skipping);
        Seq2SeqOptions options = ExplodingOptions(maxEpochs: 2);
        options.SkipNonFiniteSteps = true;
        var error = Assert.Throws<TrainingDivergedException>(() => skipping.Regression.Trainers.Seq2Seq(options).Fit(data));

        // Epoch 1: the steps before the explosion were applied, every later one skipped — the first skipped is the one
        // the device-side record (default mode) reported. Epoch 2: no step is left to apply, so Fit stops.
        int stepsPerEpoch = Rows / options.BatchSize;
        string epochOne = Assert.Single(log, m => m.Contains("optimizer steps in epoch 1"));
        Assert.Contains($"skipped {stepsPerEpoch - reported + 1} of {stepsPerEpoch} optimizer steps in epoch 1", epochOne);
        Assert.Contains($"run steps {reported}, ", epochOne);
        Assert.Equal(2, error.Epoch);
        Assert.Equal(stepsPerEpoch + 1, error.Step);
        Assert.StartsWith("Every optimizer step of epoch 2 had a NaN or infinite loss or gradient and was skipped", error.Message);
        using Seq2SeqTransformer kept = Assert.IsType<Seq2SeqTransformer>(error.Model);
        Assert.Equal(1, kept.TrainingHistory.BestEpoch);
        Assert.All(kept.Network.parameters(), p => Assert.True(p.isfinite().all().ToBoolean())); // no bad update was ever applied
    }

    /// <summary>Fills every weight with NaN at the end of each epoch from <paramref name="fromEpoch"/> on (before validation).</summary>
    [Fact]
    public void From_the_first_step_with_a_non_finite_gradient_no_update_sticks_and_the_epoch_ends_within_eight_steps()
    {
        // 640 rows, batch 16: 40 steps in epoch 1. A label of 1e20 overflows the step that holds it.
        const int rows = 640, bad = 10; // the 0-based step of epoch 1 that gets the bad row
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 2);
        EpochPlan plan = EpochPlan.Create(rows, options.BatchSize, seed: 1, epoch: 1);
        int badRow = (int)plan.Order[plan.Steps[bad].Start];
        var ml = new MLContext(seed: 1);
        var data = ReliabilityKit.RowsWith(rows, seed: 3, badRow, row => row.Label[3] = 1e20f);
        var observer = new StepWeights();

        var error = Assert.Throws<TrainingDivergedException>(() => TrainingTestKit.Estimator(ml, options, observer).Fit(ml.Data.LoadFromEnumerable(data)));

        Assert.Equal(bad + 1, error.Step);
        float[] before = observer.Weights[bad - 1];
        Assert.All(before, w => Assert.True(float.IsFinite(w)));
        Assert.NotEqual(observer.Weights[bad - 2], before); // updates did change the weights until then
        for (int step = bad; step < observer.Weights.Count; step++)
            Assert.Equal(before, observer.Weights[step]); // bit for bit: the bad step and every later one were undone
        Assert.InRange(observer.Weights.Count, bad + 1, bad + NonFiniteStepMonitor.CheckEverySteps + 1); // not all 40 steps
        Assert.Contains("no update was applied from that step on", error.Message);
    }

    private sealed class StepWeights : ITrainingObserver
    {
        public System.Collections.Generic.List<float[]> Weights { get; } = new();

        public void OnMicroBatch(int epoch, ReadOnlySpan<long> rows)
        {
        }

        public void OnStepEnd(int epoch, long step, SequenceNetwork network)
        {
            if (epoch == 1)
                Weights.Add(network.parameters().SelectMany(p => p.detach().cpu().flatten().data<float>().ToArray()).ToArray());
        }

        public void OnEpochEnd(int epoch, SequenceNetwork network)
        {
        }
    }

    private sealed class Poisoner(int fromEpoch) : ITrainingObserver
    {
        public System.Collections.Generic.Dictionary<int, System.Collections.Generic.Dictionary<string, Tensor>> Snapshots { get; } = new();

        public void OnMicroBatch(int epoch, ReadOnlySpan<long> rows)
        {
        }

        public void OnEpochEnd(int epoch, SequenceNetwork network)
        {
            Snapshots[epoch] = network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
            if (epoch < fromEpoch)
                return;
            using var _ = torch.no_grad();
            foreach (var parameter in network.parameters())
                parameter.fill_(float.NaN);
        }
    }
}
