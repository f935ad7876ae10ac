using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MLNetSeq2Seq.Training;

namespace MLNetSeq2Seq;

/// <summary>
/// Which effective batch the gradient noise scale suggests, and the learning rate for it: the critical batch is taken
/// as B_simple (<see cref="GradientNoiseScaleEpoch.SimpleNoiseScale"/>) of the epoch whose weights the model kept, and
/// its learning rate is the run's peak learning rate moved from the batch in use to the critical batch by
/// <see cref="Seq2SeqOptions.LearningRateScaling"/> (square-root scaling when that is None).
/// </summary>
/// <param name="CriticalBatchSize">B_simple rounded to whole samples, at least 1.</param>
/// <param name="LearningRate">The peak learning rate the scaling rule gives for <see cref="CriticalBatchSize"/>.</param>
/// <param name="Rule">The scaling rule used for <see cref="LearningRate"/>.</param>
/// <param name="FromEpoch">The epoch whose noise scale was used.</param>
/// <param name="BatchSize">The effective batch of the run.</param>
/// <param name="PeakLearningRate">The run's peak learning rate, at <see cref="BatchSize"/>.</param>
public sealed record BatchSizeAdvice(int CriticalBatchSize, double LearningRate, LearningRateScaling Rule, int FromEpoch, int BatchSize, double PeakLearningRate)
{
    /// <summary>The advice from the noise scale of <paramref name="epoch"/> (or the latest epoch with one before it); null when there is none.</summary>
    internal static BatchSizeAdvice? From(IReadOnlyList<GradientNoiseScaleEpoch> noise, int epoch, LearningRateScaling rule, int batchSize, double peakLearningRate)
    {
        GradientNoiseScaleEpoch? source = noise.LastOrDefault(n => n.Epoch <= epoch && n.SimpleNoiseScale is not null)
            ?? noise.LastOrDefault(n => n.SimpleNoiseScale is not null);
        if (source?.SimpleNoiseScale is not double scale)
            return null;
        int critical = (int)Math.Max(1, Math.Min(int.MaxValue, Math.Round(scale)));
        LearningRateScaling used = rule == LearningRateScaling.None ? LearningRateScaling.SquareRoot : rule;
        return new BatchSizeAdvice(critical, LearningRates.Scale(peakLearningRate, used, critical, batchSize), used, source.Epoch, batchSize, peakLearningRate);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        string regime = CriticalBatchSize > BatchSize
            ? "the batch in use is below it, so steps are noise-dominated: a larger batch (up to about the critical one) should need fewer optimizer steps for the same loss"
            : "the batch in use is above it, so extra samples per step are mostly wasted: a smaller batch should reach the same loss in fewer epochs";
        return string.Create(CultureInfo.InvariantCulture,
            $"batch-size advice: critical batch ≈ B_simple = {CriticalBatchSize} samples (epoch {FromEpoch}); {regime}. ")
            + string.Create(CultureInfo.InvariantCulture,
            $"{Rule} learning-rate scaling from {PeakLearningRate:G4} at batch {BatchSize} gives {LearningRate:G4} at batch {CriticalBatchSize}.");
    }
}
