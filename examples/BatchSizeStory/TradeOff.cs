using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq;

namespace BatchSizeStory;

/// <summary>
/// Part 3: the steps / samples trade-off of McCandlish et al. (2018) on ETTh2. The same network trains at B/4, B and 4·B
/// with the learning rate moved by the square-root rule and a constant schedule; the gradient noise scale runs in every Fit.
/// The target is the best validation MSE the run at B reaches within its epochs (plus a small margin); each run reports the
/// optimizer steps and epochs it needed to reach it (linear interpolation between epoch ends). The model
/// S(B) = S_min (1 + B_noise / B), fitted to the three points by least squares in 1/B, places the knee at B_noise,
/// which is compared with B_simple.
/// </summary>
public static class TradeOff
{
    public const int InputLength = 48, Horizon = 24, Hidden = 32, TrainStride = 4, ValidationStride = 8;
    public const int Batch = 64, NoiseEvery = 4;
    public const double LearningRate = 1e-3, TargetMargin = 1.02;
    public static readonly int[] Batches = { Batch / 4, Batch, Batch * 4 };

    /// <summary>The epochs a run at <paramref name="batch"/> may take (more for fewer steps per epoch).</summary>
    public static int EpochCap(int batch) => batch <= Batch / 4 ? 6 : batch <= Batch ? 8 : 20;

    /// <summary>Trains at <paramref name="batch"/>; stops after the first epoch at or below <paramref name="target"/> ("-": none).
    /// Prints "tradeoff batch stepsPerEpoch learningRate bSimple secondsPerEpoch v1 v2 …".</summary>
    public static int RunChild(float[][] series, int batch, string target)
    {
        double? stopAt = target == "-" ? null : double.Parse(target, CultureInfo.InvariantCulture);
        var ml = new MLContext(seed: 1);
        var (train, validation) = Runs.Data(ml, series, InputLength, Horizon, TrainStride, ValidationStride);
        var epochs = new List<EpochSummary>();
        var options = new Seq2SeqOptions
        {
            HiddenSize = Hidden, BatchSize = batch, LearningRate = LearningRate, LearningRateScaling = LearningRateScaling.SquareRoot, ReferenceBatchSize = Batch,
            Schedule = { Kind = LearningRateSchedule.Constant }, TeacherForcingRatio = 1, MaxEpochs = EpochCap(batch), EarlyStopping = { Patience = EpochCap(batch) },
            ValidationSet = validation, Seed = 1, GradientNoiseScaleEverySteps = NoiseEvery,
            Progress = new EpochReport(e =>
            {
                epochs.Add(e);
                if (stopAt is double t && e.ValidationLoss <= t)
                    throw new TargetReached(); // the run has what it needs: the exception ends Fit from its progress report
            }),
        };
        // The estimate per epoch is in TrainingHistory.GradientNoiseScale; a run stopped at the target has no model, so the
        // last estimate is taken from the log line Fit writes after each epoch ("... B_simple 40 samples ...").
        double noise = double.NaN;
        ml.Log += (_, e) =>
        {
            int at = e.Message.IndexOf("B_simple ", StringComparison.Ordinal);
            if (e.Message.Contains("gradient noise scale after epoch", StringComparison.Ordinal) && at >= 0
                && double.TryParse(e.Message[(at + 9)..].Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                noise = value;
        };
        try
        {
            using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(train);
            noise = model.TrainingHistory.GradientNoiseScale[^1].SimpleNoiseScale ?? double.NaN;
        }
        catch (TargetReached)
        {
        }
        int steps = epochs[0].OptimizerSteps;
        double learningRate = LearningRate * Math.Sqrt((double)batch / Batch);
        Console.WriteLine(FormattableString.Invariant($"tradeoff {batch} {steps} {learningRate:R} {noise:R} {epochs.Average(e => e.Seconds):R} ")
            + string.Join(' ', epochs.Select(e => e.ValidationLoss!.Value.ToString("R", CultureInfo.InvariantCulture))));
        return 0;
    }

    private sealed class TargetReached : Exception;

    private sealed class EpochReport(Action<EpochSummary> report) : IProgress<EpochSummary>
    {
        public void Report(EpochSummary value) => report(value);
    }
}

/// <summary>One run of part 3, as printed by its child.</summary>
public sealed record TradeOffRun(int Batch, int StepsPerEpoch, double LearningRate, double SimpleNoiseScale, double SecondsPerEpoch, double[] Validation)
{
    public static TradeOffRun Parse(string line)
    {
        double[] v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return new TradeOffRun((int)v[0], (int)v[1], v[2], v[3], v[4], v[5..]);
    }

    /// <summary>Optimizer steps until the validation MSE first reaches <paramref name="target"/>, interpolated linearly between
    /// epoch ends (the start counts as step 0 at the first epoch's value); null when it never does.</summary>
    public double? StepsTo(double target)
    {
        for (int e = 0; e < Validation.Length; e++)
        {
            if (Validation[e] > target)
                continue;
            if (e == 0)
                return StepsPerEpoch;
            double fraction = (Validation[e - 1] - target) / (Validation[e - 1] - Validation[e]);
            return StepsPerEpoch * (e + fraction);
        }
        return null;
    }

    /// <summary>Fits S(B) = S_min (1 + B_noise / B) to (batch, steps) points by least squares in 1/B; null when the fit has no knee
    /// (a slope or intercept that is not positive).</summary>
    public static (double MinSteps, double NoiseBatch)? FitKnee(IReadOnlyList<(double Batch, double Steps)> points)
    {
        if (points.Count < 2)
            return null;
        double mx = points.Average(p => 1 / p.Batch), my = points.Average(p => p.Steps);
        double slope = points.Sum(p => (1 / p.Batch - mx) * (p.Steps - my)) / points.Sum(p => (1 / p.Batch - mx) * (1 / p.Batch - mx));
        double intercept = my - slope * mx;
        return slope > 0 && intercept > 0 ? (intercept, slope / intercept) : null;
    }
}
