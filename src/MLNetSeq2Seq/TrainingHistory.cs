using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetSeq2Seq;

/// <summary>What happened during Fit: one <see cref="EpochSummary"/> per epoch, and which epoch's weights were kept.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(IReadOnlyList<EpochSummary> epochs, int bestEpoch, bool stoppedEarly, double peakLearningRate)
    {
        PeakLearningRate = peakLearningRate;
        Epochs = epochs;
        BestEpoch = bestEpoch;
        StoppedEarly = stoppedEarly;
    }

    /// <summary>The learning rate the schedule peaked at: LearningRate after the scaling rule, or the range test's
    /// suggestion when LearningRate was null.</summary>
    public double PeakLearningRate { get; }

    /// <summary>The epochs in order.</summary>
    public IReadOnlyList<EpochSummary> Epochs { get; }

    /// <summary>The 1-based epoch whose weights the model holds (the last epoch when there was no validation).</summary>
    public int BestEpoch { get; }

    /// <summary>Whether early stopping ended training before MaxEpochs.</summary>
    public bool StoppedEarly { get; }

    /// <summary>What <see cref="EpochSummary.TrainLoss"/> measures, as the log names it: "MAE", "MSE", "Huber(δ=1)", or with
    /// <see cref="Seq2SeqOptions.Quantiles"/> "1×MAE + pinball(0.1,0.5,0.9)". Null on a model loaded from a file (the saved
    /// history holds the numbers only).</summary>
    public string? TrainingLossName { get; internal init; }

    /// <summary>What <see cref="EpochSummary.ValidationLoss"/> measures (<see cref="EarlyStoppingOptions.Metric"/>):
    /// "MSE" by default. Null without validation and on a model loaded from a file.</summary>
    public string? ValidationMetricName { get; internal init; }

    /// <summary>The gradient noise scale per epoch when <see cref="Seq2SeqOptions.GradientNoiseScaleEverySteps"/> is set; empty
    /// otherwise. Not stored in the saved model.</summary>
    public IReadOnlyList<GradientNoiseScaleEpoch> GradientNoiseScale { get; internal init; } = Array.Empty<GradientNoiseScaleEpoch>();

    /// <summary>The critical batch and its learning rate from <see cref="GradientNoiseScale"/>; null when the noise scale was off
    /// or never positive. Not stored in the saved model.</summary>
    public BatchSizeAdvice? BatchSizeAdvice { get; internal init; }

    /// <summary>The candidates of <see cref="Seq2SeqOptions.Search"/> and of <see cref="Seq2SeqOptions.BaselineComparison"/>
    /// with their validation scores and which was kept; empty when there was neither. Not stored in the saved model (the kept model's
    /// <see cref="NetworkFamily"/> tells a baseline from a network).</summary>
    public IReadOnlyList<ModelCandidate> Candidates { get; internal init; } = Array.Empty<ModelCandidate>();

    /// <summary>Why the model is the one kept: the baseline comparison's decision in the words of its log line, with every
    /// candidate's validation score (for example "validation MSE of the candidates over 2689 windows: persistence 0.3159,
    /// linear 0.2076, network 0.2099; linear is best (…), so linear is kept: …"), or why there was no comparison. With
    /// <see cref="Seq2SeqOptions.Search"/> it begins with the search's decision ("search: … has the best validation score
    /// …"). Null when there was neither a search nor a comparison (<see cref="Seq2SeqOptions.BaselineComparison"/> Off),
    /// and on a model loaded from a file (not stored in the saved model). <see cref="Seq2SeqOptions.SelectionProgress"/>
    /// receives the same text with the decision.</summary>
    public string? Selection { get; internal init; }

    /// <summary>This history with <paramref name="candidates"/> and <paramref name="selection"/>, every other property the same.</summary>
    internal TrainingHistory WithCandidates(IReadOnlyList<ModelCandidate> candidates, string? selection) =>
        new(Epochs, BestEpoch, StoppedEarly, PeakLearningRate)
        {
            TrainingLossName = TrainingLossName,
            ValidationMetricName = ValidationMetricName,
            GradientNoiseScale = GradientNoiseScale,
            BatchSizeAdvice = BatchSizeAdvice,
            Candidates = candidates,
            Selection = selection,
        };

    /// <summary>The validation loss of <see cref="BestEpoch"/>, or null without validation.</summary>
    public double? BestValidationLoss => Epochs.FirstOrDefault(e => e.Epoch == BestEpoch)?.ValidationLoss;
}
