using System;
using MLNetSeq2Seq.Networks;

namespace MLNetSeq2Seq.Training;

/// <summary>Internal hooks into the loop, for tests that must see inside it (visit counts, forced regressions).</summary>
internal interface ITrainingObserver
{
    /// <summary>Rows of one micro-batch, in the order they were fed.</summary>
    void OnMicroBatch(int epoch, ReadOnlySpan<long> rows);

    /// <summary>After an epoch's optimizer steps, before its validation and before early stopping decides.</summary>
    void OnEpochEnd(int epoch, Seq2SeqNetwork network);
}
