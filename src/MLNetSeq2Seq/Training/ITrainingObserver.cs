using System;
using System.IO;
using MLNetSeq2Seq.Networks;

namespace MLNetSeq2Seq.Training;

/// <summary>Internal hooks into the loop, for tests that must see inside it (visit counts, forced regressions).</summary>
internal interface ITrainingObserver
{
    /// <summary>Rows of one micro-batch, in the order they were fed.</summary>
    void OnMicroBatch(int epoch, ReadOnlySpan<long> rows);

    /// <summary>After a micro-batch's forward pass, while its tensors are alive. A test may throw the real
    /// out-of-memory exception type here to exercise the backoff.</summary>
    void AfterForward(int epoch, int microBatchSize) { }

    /// <summary>After an optimizer step's update (or its undoing), inside the step's dispose scope.</summary>
    void OnStepEnd(int epoch, long step, SequenceNetwork network) { }

    /// <summary>After an epoch's optimizer steps, before its validation and before early stopping decides.</summary>
    void OnEpochEnd(int epoch, SequenceNetwork network);

    /// <summary>After a checkpoint's bytes are flushed to <paramref name="temporaryPath"/>, while the file is still open
    /// and before it is renamed over the previous checkpoint: the crash-safety test tears the file and stops here.</summary>
    void OnCheckpointFlushed(FileStream temporaryFile, string temporaryPath) { }
}
