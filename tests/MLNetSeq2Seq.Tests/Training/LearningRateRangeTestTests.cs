using System;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Training;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

public sealed class LearningRateRangeTestTests
{
    [Fact]
    public void The_sweep_is_exponential_from_the_start_rate_and_stops_when_the_loss_diverges()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(400, seed: 23));

        LearningRateRangeTestResult result = ml.Regression.Trainers.FindSeq2SeqLearningRate(data, SyntheticSequences.SmallOptions());

        var curve = result.Curve;
        Assert.Equal(1e-7, curve[0].LearningRate, 15);
        double ratio = Math.Pow(10 / 1e-7, 1.0 / 99);
        Assert.All(curve.Skip(1).Zip(curve), p => Assert.Equal(ratio, p.First.LearningRate / p.Second.LearningRate, 9));
        Assert.Equal(curve[0].Loss, curve[0].SmoothedLoss, 12); // bias-corrected smoothing starts at the first loss
        Assert.True(curve.Count < 100, "this model diverges well before a rate of 10: " + result.StopReason);
        Assert.Contains("exceeded 4", result.StopReason);
        Assert.True(curve[^1].SmoothedLoss > 4 * curve.Min(p => p.SmoothedLoss));
        AssertSuggestionLiesOnTheDescent(result);
        Assert.InRange(result.SuggestedLearningRate, 1e-4, 1);
        Assert.InRange(result.SteepestDescentLearningRate, 1e-4, 1); // this small model learns fastest around 1e-2
    }

    /// <summary>
    /// What the suggestion promises, checked on the curve it came with: it is one of the sweep's rates, the valley of
    /// that very curve, below the rate of the smoothed loss's minimum, and its smoothed loss has already fallen below
    /// the flat start while still above the minimum — a rate where the loss falls, not the flat start nor the turn.
    /// </summary>
    private static void AssertSuggestionLiesOnTheDescent(LearningRateRangeTestResult result)
    {
        var curve = result.Curve.ToList();
        int suggested = curve.FindIndex(p => p.LearningRate == result.SuggestedLearningRate);
        Assert.True(suggested >= 0, $"the suggested rate {result.SuggestedLearningRate:G6} is not a rate of the sweep");
        Assert.Equal(LearningRateRangeTest.Valley(curve), result.SuggestedLearningRate);
        int minimum = curve.IndexOf(curve.MinBy(p => p.SmoothedLoss)!);
        Assert.True(suggested < minimum, $"the suggestion (step {suggested}) is not before the minimum of the smoothed loss (step {minimum})");
        double flatStart = curve.Skip(5).Take(10).Select(p => p.SmoothedLoss).Order().ElementAt(5);
        Assert.True(curve[suggested].SmoothedLoss < flatStart && curve[suggested].SmoothedLoss > curve[minimum].SmoothedLoss,
            $"the smoothed loss at the suggestion ({curve[suggested].SmoothedLoss:G4}) is not between the flat start ({flatStart:G4}) and the minimum ({curve[minimum].SmoothedLoss:G4})");
    }

    [Fact]
    public void Non_finite_losses_end_the_sweep_and_stay_out_of_the_curve()
    {
        var ml = new MLContext(seed: 1);
        var options = SyntheticSequences.SmallOptions();
        options.GradientClipNorm = null;
        var sweep = new LearningRateRangeTestOptions { StartLearningRate = 1e-3, EndLearningRate = 1e12, StepCount = 60, DivergenceFactor = 1e300 };

        LearningRateRangeTestResult result = ml.Regression.Trainers.FindSeq2SeqLearningRate(
            ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(200, seed: 23)), options, sweep);

        Assert.Contains("not finite", result.StopReason);
        Assert.True(result.Curve.Count < 60);
        Assert.All(result.Curve, p => Assert.True(double.IsFinite(p.Loss) && double.IsFinite(p.SmoothedLoss)));
        Assert.True(double.IsFinite(result.SuggestedLearningRate) && double.IsFinite(result.SteepestDescentLearningRate));
    }

    [Fact]
    public void LearningRate_null_runs_the_test_first_and_then_trains_exactly_like_the_suggested_rate()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(200, seed: 29));
        var options = SyntheticSequences.SmallOptions(maxEpochs: 2);
        double suggested = ml.Regression.Trainers.FindSeq2SeqLearningRate(data, options).SuggestedLearningRate;

        options.LearningRate = null;
        using var automatic = ml.Regression.Trainers.Seq2Seq(options).Fit(data);
        options.LearningRate = suggested;
        using var explicitRate = ml.Regression.Trainers.Seq2Seq(options).Fit(data);

        // Identical weights: the range test trained a copy and left nothing behind in the model Fit trains.
        Assert.Equal(0, TrainingTestKit.NormRelativeDifference(TrainingTestKit.Weights(automatic), TrainingTestKit.Weights(explicitRate)));
        Assert.Equal(suggested, automatic.TrainingHistory.PeakLearningRate);
    }

    [Fact]
    public void Steepest_descent_and_valley_find_the_falling_part_of_a_known_curve_despite_a_noisy_flat_start()
    {
        // A long flat start with batch noise and a slight drift (where both heuristics used to land), then a
        // logistic descent centred at 1e-3, then a blow-up past 1e-1.
        var random = new Random(3);
        var curve = Enumerable.Range(0, 71).Select(i =>
        {
            double lr = 1e-7 * Math.Pow(10, i / 10.0);
            double x = Math.Log10(lr);
            double loss = 1 / (1 + Math.Exp(3 * (x + 3))) + 0.1 - 0.002 * i * (x < -4 ? 1 : 0)
                + 0.01 * (random.NextDouble() - 0.5) + (x > -1 ? Math.Pow(10, 3 * (x + 1)) - 1 : 0);
            return new LearningRateRangeTestPoint(lr, loss, loss);
        }).ToList();

        double steepest = LearningRateRangeTest.SteepestDescent(curve);
        double valley = LearningRateRangeTest.Valley(curve);

        Assert.InRange(steepest, 1e-3 / 1.3, 1e-3 * 1.3);
        Assert.InRange(valley, 3e-4, 3e-2); // inside the descent, not in the flat start
    }
}
