using System;
using MLNetSeq2Seq.Data;

namespace MLNetSeq2Seq.Training;

/// <summary>The rows <paramref name="Rows"/> (indices into <paramref name="Data"/>) of one optimizer step or validation batch.</summary>
internal readonly record struct SequenceBatch(SequenceDataset Data, ReadOnlyMemory<long> Rows);
