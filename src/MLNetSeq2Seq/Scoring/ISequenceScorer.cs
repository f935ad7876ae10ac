using System;
using MLNetSeq2Seq.Columns;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// Runs the trained network on a block of rows. The scoring data view, the row mapper and the forecast engine call it;
/// the transformer implements it over the TorchSharp network and hands it out as its scoring port. Implementations must be safe to call from several
/// threads at once (ML.NET's parallel cursors, one PredictionEngine per thread).
/// </summary>
internal interface ISequenceScorer
{
    /// <summary>Values per time step in the feature column (F).</summary>
    int InputFeatureCount { get; }

    /// <summary>Values per predicted step (O).</summary>
    int OutputFeatureCount { get; }

    /// <summary>Predicted steps per sequence (H).</summary>
    int Horizon { get; }

    /// <summary>Whether one call may hold rows of different input lengths (right-padded, with <c>rowLengths</c>): true
    /// for networks that pack variable-length sequences, false for those that need every row of a call equally long.</summary>
    bool ScoresMixedLengths { get; }

    /// <summary>A name per score value (H × O, time-major, e.g. "OT@t+1"), or null when the model has none.</summary>
    System.Collections.Generic.IReadOnlyList<string>? ScoreSlotNames => null;

    /// <summary>Quantile levels forecast per value (Q); 0 for point-only models.</summary>
    int QuantileCount => 0;

    /// <summary>A name per quantile value (H × Q × O, e.g. "OT@t+1@q0.10"), or null when there are none.</summary>
    System.Collections.Generic.IReadOnlyList<string>? QuantileSlotNames => null;

    /// <summary>
    /// Scores <paramref name="rowCount"/> sequences. <paramref name="features"/> holds them back to back, each
    /// <paramref name="inputLength"/> × F floats, time-major; when <paramref name="rowLengths"/> is not empty, row i's
    /// real steps are the first rowLengths[i] and the rest is zero padding. <paramref name="scores"/> receives
    /// rowCount × H × O × (1 + Q) floats in the same row order: each row's H × O point forecasts (time-major), then its
    /// H × Q × O quantile forecasts (step, level, output).
    /// </summary>
    void Score(ReadOnlySpan<float> features, int rowCount, int inputLength, ReadOnlySpan<int> rowLengths, Span<float> scores);

    /// <summary>Known-future features per forecast step (K); 0 for models without them.</summary>
    int FutureFeatureCount => 0;

    /// <summary>As <see cref="Score"/>, with <paramref name="future"/>: rowCount × Horizon × K known-future features, time-major
    /// per row (empty when <see cref="FutureFeatureCount"/> is 0).</summary>
    void ScoreWithFuture(ReadOnlySpan<float> features, int rowCount, int inputLength, ReadOnlySpan<int> rowLengths, Span<float> scores, ReadOnlySpan<float> future)
    {
        if (!future.IsEmpty)
            throw new InvalidOperationException("This scorer takes no known-future features.");
        Score(features, rowCount, inputLength, rowLengths, scores);
    }
}
