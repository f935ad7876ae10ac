namespace MLNetSeq2Seq;

/// <summary>One epoch of training, as reported to the log, to <see cref="Seq2SeqOptions.Progress"/> and in <see cref="TrainingHistory"/>.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">The training loss (<see cref="Seq2SeqOptions.Loss"/>, mean squared error by default) over every training sample of the epoch (training mode, teacher forcing as configured).</param>
/// <param name="ValidationLoss">The early-stopping metric (<see cref="EarlyStoppingOptions.Metric"/>, mean squared error by default) on the validation rows (eval mode, as at inference); null without validation.</param>
/// <param name="LearningRate">The learning rate of the epoch's last optimizer step.</param>
/// <param name="Seconds">Wall-clock seconds the epoch took, validation included.</param>
/// <param name="OptimizerSteps">Optimizer steps taken in the epoch.</param>
/// <param name="IsBest">Whether this epoch's weights are the best so far (the ones early stopping keeps).</param>
public sealed record EpochSummary(int Epoch, double TrainLoss, double? ValidationLoss, double LearningRate, double Seconds, int OptimizerSteps, bool IsBest)
{
    /// <summary>With <see cref="Seq2SeqOptions.Search"/>: the candidate this epoch trained (for example
    /// "PatchTransformer, last 336 steps"); null outside a search.</summary>
    public string? Candidate { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        (Candidate is null ? "" : $"{Candidate}, ") + $"epoch {Epoch}: train loss {TrainLoss:G5}" + (ValidationLoss is double v ? $", validation {v:G5}" : "")
        + $", lr {LearningRate:G3}, {OptimizerSteps} steps, {Seconds:F1} s" + (IsBest ? " (best)" : "");
}
