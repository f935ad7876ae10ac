using System;
using System.Linq;
using Microsoft.ML;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

/// <summary>The gradient noise scale inside Fit: reported per epoch with a batch-size advice, and harmless to training.</summary>
public sealed class GradientNoiseScaleFitTests
{
    private static Seq2SeqOptions Options(int? microBatch, int? noiseEvery)
    {
        var options = SyntheticSequences.SmallOptions(maxEpochs: 3);
        options.BatchSize = 64;
        options.MicroBatchSize = microBatch;
        options.GradientNoiseScaleEverySteps = noiseEvery;
        options.LearningRateScaling = LearningRateScaling.SquareRoot;
        options.ReferenceBatchSize = 32;
        return options;
    }

    [Fact]
    public void With_micro_batches_measuring_every_step_leaves_the_weights_bit_identical_and_reports_every_epoch()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(640, seed: 5));

        using var plain = ml.Regression.Trainers.Seq2Seq(Options(16, null)).Fit(data);
        using var measured = ml.Regression.Trainers.Seq2Seq(Options(16, 1)).Fit(data);

        var a = TrainingTestKit.Weights(measured);
        var b = TrainingTestKit.Weights(plain);
        Assert.All(b, kv => Assert.True(a[kv.Key].data<float>().ToArray().SequenceEqual(kv.Value.data<float>().ToArray()), $"{kv.Key} differs"));
        Assert.Equal(plain.TrainingHistory.Epochs.Select(e => e.TrainLoss), measured.TrainingHistory.Epochs.Select(e => e.TrainLoss));

        Assert.Empty(plain.TrainingHistory.GradientNoiseScale);
        Assert.Null(plain.TrainingHistory.BatchSizeAdvice);
        var noise = measured.TrainingHistory.GradientNoiseScale;
        Assert.Equal(new[] { 1, 2, 3 }, noise.Select(n => n.Epoch));
        Assert.All(noise, n => Assert.Equal(10, n.SampledSteps)); // 640 rows / 64: ten steps per epoch, all sampled
        Assert.All(noise, n => Assert.Equal(16, n.SmallBatch));
        Assert.All(noise, n => Assert.Equal(64, n.BigBatch));
        Assert.All(noise, n => Assert.True(n.GradientSquaredNorm > 0 && n.TraceCovariance > 0, n.ToString()));

        BatchSizeAdvice advice = Assert.IsType<BatchSizeAdvice>(measured.TrainingHistory.BatchSizeAdvice);
        GradientNoiseScaleEpoch kept = noise.Single(n => n.Epoch == measured.TrainingHistory.BestEpoch);
        Assert.Equal((int)Math.Round(kept.SimpleNoiseScale!.Value), advice.CriticalBatchSize);
        Assert.Equal(LearningRateScaling.SquareRoot, advice.Rule);
        // The library's rule: the rate tuned at 32 (1e-2), scaled by √(batch / 32).
        Assert.Equal(1e-2 * Math.Sqrt(advice.CriticalBatchSize / 32.0), advice.LearningRate, 12);
        Assert.Equal(1e-2 * Math.Sqrt(64 / 32.0), advice.PeakLearningRate, 12);
    }

    [Fact]
    public void Without_micro_batches_a_sampled_step_runs_as_two_halves_with_the_same_update_up_to_rounding()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(640, seed: 5));

        using var plain = ml.Regression.Trainers.Seq2Seq(Options(null, null)).Fit(data);
        using var measured = ml.Regression.Trainers.Seq2Seq(Options(null, 3)).Fit(data);

        double difference = TrainingTestKit.NormRelativeDifference(TrainingTestKit.Weights(measured), TrainingTestKit.Weights(plain));
        Assert.True(difference < 1e-4, $"weights differ by {difference:G3}");
        var noise = measured.TrainingHistory.GradientNoiseScale;
        // Run steps 0, 3, 6, ..., 27 of 30 are sampled: 4 in epoch 1 (0, 3, 6, 9), 3 in epoch 2 (12, 15, 18), 3 in epoch 3.
        Assert.Equal(new[] { 4, 3, 3 }, noise.Select(n => n.SampledSteps));
        Assert.All(noise, n => Assert.Equal(32, n.SmallBatch));
    }

    [Fact]
    public void A_sampling_interval_below_one_is_refused_naming_the_option()
    {
        var options = Options(null, 0);
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(nameof(Seq2SeqOptions.GradientNoiseScaleEverySteps), error.ParamName);
    }
}
