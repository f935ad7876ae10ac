using System;

namespace MLNetSeq2Seq;

/// <summary>
/// Thrown by Fit when the training loss became NaN or infinite (or, with
/// <see cref="Seq2SeqOptions.SkipNonFiniteSteps"/>, when every step of an epoch had to be skipped). Training stops at
/// the end of that epoch. The message names the epoch, the first such optimizer step and the learning rate then, and
/// suggests the learning-rate range test. <see cref="Model"/> holds the best weights seen before, when there are any.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened and what to change.</param>
    /// <param name="epoch">The 1-based epoch.</param>
    /// <param name="step">The 1-based optimizer step, counted from the start of the run.</param>
    /// <param name="learningRate">The learning rate of that step.</param>
    public TrainingDivergedException(string message, int epoch, long step, double learningRate) : base(message)
    {
        Epoch = epoch;
        Step = step;
        LearningRate = learningRate;
    }

    /// <summary>The 1-based epoch in which the loss stopped being finite.</summary>
    public int Epoch { get; }

    /// <summary>The 1-based optimizer step, counted from the start of the run (a resumed run included), whose loss was
    /// the first not to be finite.</summary>
    public long Step { get; }

    /// <summary>The learning rate of that step.</summary>
    public double LearningRate { get; }

    /// <summary>
    /// The model with the weights kept before the loss diverged — the best validation epoch's with validation data,
    /// else the last epoch's that ended with finite weights — or null when no epoch got that far. Its
    /// <see cref="Seq2SeqTransformer.TrainingHistory"/> lists the epochs before the divergence. The caller owns it:
    /// dispose it when done.
    /// </summary>
    public Seq2SeqTransformer? Model { get; internal set; }

    /// <summary>The history to give <see cref="Model"/>; null when no weights were kept.</summary>
    internal TrainingHistory? KeptHistory { get; init; }
}
