using System;
using System.Collections.Generic;
using System.Linq;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// Leslie Smith's learning-rate range test: train a fresh copy of the network for a few steps while the learning
/// rate grows exponentially, record the loss, and stop when it diverges. Nothing it does reaches the model that
/// Fit later trains: that one starts from its own seeded initialisation.
/// </summary>
internal static class LearningRateRangeTest
{
    public static LearningRateRangeTestResult Run(TrainingSession session, LearningRateRangeTestOptions settings, ITrainingObserver? observer = null)
    {
        settings.Validate();
        Seq2SeqOptions options = session.Options;
        int batchSize = Seq2SeqTrainer.EffectiveBatchSize(options, session.Train.Count);
        using SequenceNetwork network = session.CreateNetwork();
        using var runner = new OptimizerStepRunner(network, QuantileLoss.TrainingLossOf(options), settings.StartLearningRate, options.WeightDecay, options.GradientClipNorm,
            Seq2SeqTrainer.InitialMicroBatchSize(options, batchSize), session.Host, observer, randomSeed: session.Seed);
        using Tensor stepLoss = torch.zeros(1, dtype: ScalarType.Float64, device: session.Train.Device);
        var curve = new List<LearningRateRangeTestPoint>(settings.StepCount);
        bool[] teacherForcedSteps = new bool[network.Architecture.Horizon];
        double growth = Math.Pow(settings.EndLearningRate / settings.StartLearningRate, 1.0 / (settings.StepCount - 1));
        double average = 0, best = double.PositiveInfinity;
        string stopReason = $"reached the last learning rate {settings.EndLearningRate:G3}";

        network.train();
        int epoch = 1, batchInEpoch = 0;
        EpochPlan plan = EpochPlan.Create(session.Train.Count, batchSize, session.Seed, epoch);
        var coin = new Random(EpochPlan.DerivedSeed(session.Seed, epoch, stream: 2));
        for (int i = 0; i < settings.StepCount; i++)
        {
            session.Host.ThrowIfCanceled();
            if (batchInEpoch == plan.Steps.Count)
            {
                plan = EpochPlan.Create(session.Train.Count, batchSize, session.Seed, ++epoch);
                batchInEpoch = 0;
            }
            double learningRate = settings.StartLearningRate * Math.Pow(growth, i);
            runner.SetLearningRate(learningRate);
            for (int t = 0; t < teacherForcedSteps.Length; t++)
                teacherForcedSteps[t] = coin.NextDouble() < options.TeacherForcingRatio;
            var (start, count) = plan.Steps[batchInEpoch++];
            double loss;
            using (torch.NewDisposeScope())
            {
                stepLoss.zero_();
                runner.Step(session.Train, plan.Order.AsSpan(start, count), teacherForcedSteps, stepLoss, epoch, step: i);
                // One read per step is the point of this test: it is short, and every loss is part of the result.
                loss = TensorScalars.ReadDouble(stepLoss) / session.Train.ValidLabelElementsOf(plan.Order.AsSpan(start, count)); // the step's mean training loss
            }
            if (!double.IsFinite(loss))
            {
                stopReason = $"the loss was not finite at learning rate {learningRate:G3}";
                break;
            }
            average = settings.Smoothing * average + (1 - settings.Smoothing) * loss;
            double smoothed = average / (1 - Math.Pow(settings.Smoothing, i + 1));
            curve.Add(new LearningRateRangeTestPoint(learningRate, loss, smoothed));
            best = Math.Min(best, smoothed);
            if (smoothed > settings.DivergenceFactor * best)
            {
                stopReason = $"the smoothed loss exceeded {settings.DivergenceFactor}× its best at learning rate {learningRate:G3}";
                break;
            }
        }

        if (curve.Count < 3)
            throw new InvalidOperationException($"The learning-rate range test stopped after {curve.Count} steps ({stopReason}); "
                + "a curve needs at least 3. Check the data for extreme values, standardize the inputs, or lower StartLearningRate.");
        var result = new LearningRateRangeTestResult(curve, SteepestDescent(curve), Valley(curve), stopReason);
        session.Host.Info($"Seq2Seq: learning-rate range test over {curve.Count} steps ({stopReason}): "
            + $"steepest descent at {result.SteepestDescentLearningRate:G3}, valley at {result.ValleyLearningRate:G3}; suggesting {result.SuggestedLearningRate:G3} ({result.SuggestionMethod}).");
        return result;
    }

    /// <summary>
    /// The descent of the curve: from the last point before the minimum whose smoothed loss is still within 10 % of
    /// the total drop from the plateau (the level of the flat start), to the minimum. Before it the loss is flat and its wiggles are batch noise;
    /// both suggestions look only here.
    /// </summary>
    internal static (int Start, int Minimum) Descent(IReadOnlyList<LearningRateRangeTestPoint> curve)
    {
        int minimum = IndexOfMinimum(curve);
        // The plateau level: the median over the first third of the curve before its minimum, skipping the first
        // points, where the bias-corrected average still follows single noisy batches.
        int skip = Math.Min(5, minimum / 2);
        int end = Math.Max(skip + 1, minimum / 3);
        double[] head = curve.Skip(skip).Take(end - skip).Select(p => p.SmoothedLoss).OrderBy(v => v).ToArray();
        double plateau = head[head.Length / 2];
        double threshold = plateau - 0.1 * (plateau - curve[minimum].SmoothedLoss);
        int start = 0;
        for (int i = 0; i < minimum; i++)
            if (curve[i].SmoothedLoss >= threshold)
                start = i;
        return (start, minimum);
    }

    /// <summary>The rate where the smoothed loss falls fastest against log(rate) within the descent (Smith's rule).</summary>
    internal static double SteepestDescent(IReadOnlyList<LearningRateRangeTestPoint> curve)
    {
        var (first, minimum) = Descent(curve);
        if (minimum <= first + 1)
            return curve[minimum].LearningRate;
        int steepest = first;
        double steepestSlope = double.PositiveInfinity;
        for (int i = first; i <= minimum; i++)
        {
            // Central differences inside, one-sided at the ends, against log(rate).
            int before = Math.Max(first, i - 1), after = Math.Min(minimum, i + 1);
            double slope = (curve[after].SmoothedLoss - curve[before].SmoothedLoss)
                / (Math.Log(curve[after].LearningRate) - Math.Log(curve[before].LearningRate));
            if (slope < steepestSlope)
            {
                steepestSlope = slope;
                steepest = i;
            }
        }
        return curve[steepest].LearningRate;
    }

    /// <summary>
    /// The rate halfway (in log scale) along the descent: far enough from the flat start to learn fast, far enough
    /// from the minimum — where the loss is about to turn — to stay stable. The same idea as fastai's "valley"
    /// suggestion (the middle of the longest falling stretch), made robust to a long flat start.
    /// </summary>
    internal static double Valley(IReadOnlyList<LearningRateRangeTestPoint> curve)
    {
        var (start, minimum) = Descent(curve);
        return curve[(start + minimum) / 2].LearningRate;
    }

    private static int IndexOfMinimum(IReadOnlyList<LearningRateRangeTestPoint> curve)
    {
        int index = 0;
        for (int i = 1; i < curve.Count; i++)
            if (curve[i].SmoothedLoss < curve[index].SmoothedLoss)
                index = i;
        return index;
    }
}
