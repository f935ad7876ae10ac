using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>Rows held in a <see cref="SequenceDataset"/> on the training device; an epoch visits them in the order of
/// <see cref="EpochPlan"/>. Does not own the dataset.</summary>
internal sealed class InMemorySequenceRows : ISequenceRows
{
    public InMemorySequenceRows(SequenceDataset data) => Data = data;

    public SequenceDataset Data { get; }

    public int Count => Data.Count;

    public Device Device => Data.Device;

    public IEnumerable<SequenceBatch> Epoch(int batchSize, int seed, int epoch)
    {
        EpochPlan plan = EpochPlan.Create(Data.Count, batchSize, seed, epoch);
        foreach (var (start, count) in plan.Steps)
            yield return new SequenceBatch(Data, plan.Order.AsMemory(start, count));
    }

    public IEnumerable<SequenceBatch> InOrder(int batchSize)
    {
        for (int start = 0; start < Data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, Data.Count - start);
            long[] rows = new long[count];
            for (int i = 0; i < count; i++)
                rows[i] = start + i;
            yield return new SequenceBatch(Data, rows);
        }
    }

    public void AppendFingerprint(IncrementalHash hash) => RowFingerprint.Append(hash, Data);
}
