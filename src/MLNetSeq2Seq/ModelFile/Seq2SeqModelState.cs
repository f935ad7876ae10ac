using System.Collections.Generic;
using MLNetSeq2Seq.Windows;
using MLNetSeq2Seq.Forecasting;

namespace MLNetSeq2Seq.ModelFile;

/// <summary>
/// Everything a trained model is besides its network: what Fit, a diverged Fit, the model file and the PyTorch import
/// hand to <see cref="Seq2SeqTransformer"/>'s one constructor, and what <see cref="Seq2SeqModelFile"/> saves.
/// </summary>
/// <param name="FeatureColumnName">The input sequence column.</param>
/// <param name="ScoreColumnName">The column Transform adds.</param>
/// <param name="InferenceBatchSize">Rows per forward pass in Transform.</param>
/// <param name="History">The Fit's per-epoch history (empty for imported models).</param>
/// <param name="ScoreSlotNames">H × O slot names of the Score column, from the training label's; null when it had none.</param>
/// <param name="TrainingSeries">The series the training windows were cut from, when they were window views.</param>
/// <param name="FutureFeatureColumnName">The known-future feature column, for models trained with one.</param>
/// <param name="FutureFeatures">What the known-future features are, when the training windows said so.</param>
/// <param name="QuantileCalibration">The conformal offsets of the quantile intervals; null when uncalibrated.</param>
internal sealed record Seq2SeqModelState(
    string FeatureColumnName,
    string ScoreColumnName,
    int InferenceBatchSize,
    TrainingHistory History,
    IReadOnlyList<string>? ScoreSlotNames = null,
    TrainingSeries? TrainingSeries = null,
    string? FutureFeatureColumnName = null,
    FutureFeatureSpec? FutureFeatures = null,
    QuantileCalibration? QuantileCalibration = null);
