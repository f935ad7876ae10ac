using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Data;

/// <summary>
/// Training or validation sequences on the training device: features (N, L, F) and labels (N, H, O), right-padded
/// with zeros when rows differ in length. The real step counts stay on the host (null when every row is full
/// length), so masks and loss weights need no device reads. Created once per Fit; owns its tensors.
/// </summary>
internal sealed class SequenceDataset : IDisposable
{
    public SequenceDataset(Tensor features, Tensor labels, int[]? featureSteps = null, int[]? labelSteps = null)
    {
        if (features.shape[0] != labels.shape[0])
            throw new ArgumentException("Features and labels must have the same number of rows.");
        Features = features;
        Labels = labels;
        FeatureSteps = featureSteps;
        LabelSteps = labelSteps;
        long labelStepCount = labelSteps?.Sum(s => (long)s) ?? labels.shape[0] * labels.shape[1];
        ValidLabelElements = labelStepCount * labels.shape[2];
    }

    public Tensor Features { get; }

    public Tensor Labels { get; }

    /// <summary>Real input steps of each row; null when all rows have Features.shape[1].</summary>
    public int[]? FeatureSteps { get; }

    /// <summary>Real label steps of each row; null when all rows have Labels.shape[1].</summary>
    public int[]? LabelSteps { get; }

    /// <summary>Label values that count in the loss (padding excluded).</summary>
    public long ValidLabelElements { get; }

    public int Count => (int)Features.shape[0];

    /// <summary>Input lengths of the given rows as a CPU int64 tensor (for packing), or null when all are full length.</summary>
    public Tensor? FeatureLengths(ReadOnlySpan<long> rows)
    {
        if (FeatureSteps is null)
            return null;
        var lengths = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++)
            lengths[i] = FeatureSteps[rows[i]];
        return torch.tensor(lengths, dtype: ScalarType.Int64);
    }

    /// <summary>(rows, H, 1) float mask of real label steps on the device, or null when all are full length.</summary>
    public Tensor? LabelMask(ReadOnlySpan<long> rows)
    {
        if (LabelSteps is null)
            return null;
        var steps = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++)
            steps[i] = LabelSteps[rows[i]];
        Tensor stepTensor = torch.tensor(steps, dtype: ScalarType.Int64, device: Labels.device);
        return (Range(Labels.shape[1], Labels.device).unsqueeze(0) < stepTensor.unsqueeze(1)).unsqueeze(2).to(Labels.dtype);
    }

    /// <summary>Label values that count in the loss for the given rows.</summary>
    public long ValidLabelElementsOf(ReadOnlySpan<long> rows)
    {
        if (LabelSteps is null)
            return rows.Length * Labels.shape[1] * Labels.shape[2];
        long steps = 0;
        foreach (long row in rows)
            steps += LabelSteps[row];
        return steps * Labels.shape[2];
    }

    /// <summary>Splits off the last <paramref name="count"/> rows (the chronologically last, in data order); the
    /// <paramref name="gap"/> rows before them belong to neither part.</summary>
    public (SequenceDataset Head, SequenceDataset Tail) SplitLast(int count, int gap = 0)
    {
        int headCount = Count - count - gap;
        var head = new SequenceDataset(Features.narrow(0, 0, headCount), Labels.narrow(0, 0, headCount),
            FeatureSteps?[..headCount], LabelSteps?[..headCount]);
        int tailStart = Count - count;
        var tail = new SequenceDataset(Features.narrow(0, tailStart, count), Labels.narrow(0, tailStart, count),
            FeatureSteps?[tailStart..], LabelSteps?[tailStart..]);
        return (head, tail);
    }

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
