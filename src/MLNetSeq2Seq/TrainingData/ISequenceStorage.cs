using System;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// Where a <see cref="SequenceDataset"/>'s rows live on the training device. The loop never sees which kind it
/// reads: every kind hands out the same (rows, L, F) features and (rows, H, O) labels, bit for bit.
/// Implemented by <see cref="CopiedWindowStorage"/> (every row copied into dense tensors; any IDataView) and
/// <see cref="SeriesWindowStorage"/> (the series once, windows cut per batch; the component's window view).
/// </summary>
internal interface ISequenceStorage : IDisposable
{
    /// <summary>Rows (windows) held.</summary>
    int Count { get; }

    /// <summary>Input steps per row (the longest, when rows are padded).</summary>
    int InputSteps { get; }

    int InputFeatureCount { get; }

    int Horizon { get; }

    int OutputFeatureCount { get; }

    Device Device { get; }

    /// <summary>Features (rows.Length, L, F) and labels (rows.Length, H, O) of the given rows, as new tensors on
    /// <see cref="Device"/> in the caller's dispose scope.</summary>
    (Tensor Features, Tensor Labels) Rows(ReadOnlySpan<long> rows);

    /// <summary>Features and labels of rows [start, start + count).</summary>
    (Tensor Features, Tensor Labels) Range(int start, int count);

    /// <summary>Rows [start, start + count) as storage of the same kind sharing this one's memory; disposing it
    /// leaves this one intact.</summary>
    ISequenceStorage Slice(int start, int count);
}
