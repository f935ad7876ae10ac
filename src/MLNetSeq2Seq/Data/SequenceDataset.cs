using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Data;

/// <summary>
/// Training or validation sequences as two tensors on the training device: features (N, L, F) and labels
/// (N, H, O). Created once per Fit; batches are gathered from it by row index. Owns its tensors.
/// </summary>
internal sealed class SequenceDataset : IDisposable
{
    public SequenceDataset(Tensor features, Tensor labels)
    {
        if (features.shape[0] != labels.shape[0])
            throw new ArgumentException("Features and labels must have the same number of rows.");
        Features = features;
        Labels = labels;
    }

    public Tensor Features { get; }

    public Tensor Labels { get; }

    public int Count => (int)Features.shape[0];

    /// <summary>Splits off the last <paramref name="count"/> rows (the chronologically last, in data order).</summary>
    public (SequenceDataset Head, SequenceDataset Tail) SplitLast(int count)
    {
        int headCount = Count - count;
        var head = new SequenceDataset(Features.narrow(0, 0, headCount), Labels.narrow(0, 0, headCount));
        var tail = new SequenceDataset(Features.narrow(0, headCount, count), Labels.narrow(0, headCount, count));
        return (head, tail);
    }

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
