using System;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>The rows <paramref name="Rows"/> (indices into <paramref name="Data"/>) of one optimizer step or validation batch.</summary>
internal readonly record struct SequenceBatch(SequenceDataset Data, ReadOnlyMemory<long> Rows);
