using System;

namespace MLNetSeq2Seq;

/// <summary>
/// Thrown when the training loss became NaN or infinite. The model keeps the best weights seen before; the
/// message names the epoch and the learning rate at the time.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(string message, int epoch, double learningRate) : base(message)
    {
        Epoch = epoch;
        LearningRate = learningRate;
    }

    /// <summary>The 1-based epoch in which the loss stopped being finite.</summary>
    public int Epoch { get; }

    /// <summary>The learning rate of that epoch's last step.</summary>
    public double LearningRate { get; }
}
