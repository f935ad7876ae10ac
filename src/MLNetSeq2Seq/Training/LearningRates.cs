using System;

namespace MLNetSeq2Seq.Training;

/// <summary>The learning-rate scaling rule: what a rate tuned at one batch size becomes at another.</summary>
internal static class LearningRates
{
    public static double Scale(double learningRate, LearningRateScaling rule, int batchSize, int? referenceBatchSize)
    {
        if (rule == LearningRateScaling.None)
            return learningRate;
        if (referenceBatchSize is not int reference || reference <= 0)
            throw new ArgumentException($"{rule} scaling needs a positive ReferenceBatchSize.", nameof(referenceBatchSize));
        double ratio = (double)batchSize / reference;
        return rule switch
        {
            LearningRateScaling.Linear => learningRate * ratio,
            LearningRateScaling.SquareRoot => learningRate * Math.Sqrt(ratio),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown scaling rule."),
        };
    }

    public static string Describe(double learningRate, double scaled, LearningRateScaling rule, int batchSize, int? referenceBatchSize) =>
        rule == LearningRateScaling.None
            ? $"learning rate {learningRate:G4} (no scaling with the batch size)"
            : $"learning rate {learningRate:G4} tuned at batch {referenceBatchSize}, scaled {rule} to {scaled:G4} for batch {batchSize}";
}
