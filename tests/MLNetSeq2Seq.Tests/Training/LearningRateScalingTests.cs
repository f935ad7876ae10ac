using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Training;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

public sealed class LearningRateScalingTests
{
    [Theory]
    [InlineData(LearningRateScaling.None, 128, 32, 1e-3)]
    [InlineData(LearningRateScaling.Linear, 128, 32, 4e-3)]
    [InlineData(LearningRateScaling.SquareRoot, 128, 32, 2e-3)]
    [InlineData(LearningRateScaling.Linear, 16, 64, 2.5e-4)]
    [InlineData(LearningRateScaling.SquareRoot, 8, 32, 5e-4)]
    public void The_rule_scales_the_rate_tuned_at_the_reference_batch(LearningRateScaling rule, int batch, int reference, double expected)
    {
        Assert.Equal(expected, LearningRates.Scale(1e-3, rule, batch, reference), 12);
    }

    [Theory]
    [InlineData(LearningRateScaling.None, 2e-3)]
    [InlineData(LearningRateScaling.SquareRoot, 4e-3)]
    public void Fit_trains_with_the_scaled_rate_and_logs_it(LearningRateScaling rule, double expectedRate)
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => log.Add(e.Message);
        var options = SyntheticSequences.SmallOptions(maxEpochs: 1);
        options.Schedule.Kind = LearningRateSchedule.Constant;
        options.LearningRate = 2e-3;
        options.LearningRateScaling = rule;
        options.ReferenceBatchSize = 16;
        options.BatchSize = 64;

        using var model = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(128, seed: 1)));

        Assert.Equal(expectedRate, model.TrainingHistory.Epochs.Single().LearningRate, 12);
        Assert.Equal(expectedRate, model.TrainingHistory.PeakLearningRate, 12);
        Assert.Contains(log, m => m.Contains(rule == LearningRateScaling.None ? "no scaling" : "scaled SquareRoot to 0.004"));
    }

    [Fact]
    public void Scaling_without_a_reference_batch_size_is_refused_by_name()
    {
        var options = new Seq2SeqOptions { LearningRateScaling = LearningRateScaling.Linear };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(nameof(Seq2SeqOptions.ReferenceBatchSize), error.ParamName);
    }
}
