using System.Collections.Generic;
using System.Security.Cryptography;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// The rows the loop trains or validates on, handed out a batch at a time: held in memory (<see cref="InMemorySequenceRows"/>,
/// a <see cref="SequenceDataset"/> read once) or read again every epoch through ML.NET cursors
/// (<see cref="StreamedSequenceRows"/>, bounded memory). The loop cannot tell them apart.
/// </summary>
internal interface ISequenceRows
{
    /// <summary>Rows in one epoch.</summary>
    int Count { get; }

    Device Device { get; }

    /// <summary>The optimizer steps of one epoch: every row once, in an order that depends only on (seed, epoch), in
    /// steps of <paramref name="batchSize"/> rows (the last may be shorter). A batch's data lives until the next one is asked for.</summary>
    IEnumerable<SequenceBatch> Epoch(int batchSize, int seed, int epoch);

    /// <summary>Every row once in data order, in batches of <paramref name="batchSize"/> whose rows are consecutive (validation).</summary>
    IEnumerable<SequenceBatch> InOrder(int batchSize);

    /// <summary>Adds what identifies these rows (counts, shapes, sampled content) to a run's data fingerprint.</summary>
    void AppendFingerprint(IncrementalHash hash);
}
