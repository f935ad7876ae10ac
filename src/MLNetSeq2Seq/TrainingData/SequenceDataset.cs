using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// Training or validation sequences on the training device: features (N, L, F) and labels (N, H, O), right-padded
/// with zeros when rows differ in length, served by row from one of two storages (<see cref="ISequenceStorage"/>):
/// dense copies of every row, or a series with window starts. The loop reads both alike. The real step counts stay
/// on the host (null when every row is full length), so masks and loss weights need no device reads. Created once
/// per Fit; owns its storage.
/// </summary>
internal sealed class SequenceDataset : IDisposable
{
    /// <summary>Dense tensors, owned from here on.</summary>
    public SequenceDataset(Tensor features, Tensor labels, int[]? featureSteps = null, int[]? labelSteps = null, Tensor? futureFeatures = null)
        : this(new CopiedWindowStorage(features, labels), featureSteps, labelSteps, futureFeatures is null ? null : FutureWindows.Dense(futureFeatures))
    {
    }

    /// <summary><paramref name="futureFeatures"/>: the known-future features of every row on the storage's device, owned from here on; null when none.</summary>
    public SequenceDataset(ISequenceStorage storage, int[]? featureSteps = null, int[]? labelSteps = null, FutureWindows? futureFeatures = null)
    {
        if (futureFeatures is not null && (futureFeatures.Count != storage.Count || futureFeatures.Horizon != storage.Horizon))
            throw new ArgumentException($"Future features of {futureFeatures.Count} rows of {futureFeatures.Horizon} steps do not match {storage.Count} rows of {storage.Horizon} steps.", nameof(futureFeatures));
        FutureFeatures = futureFeatures;
        Storage = storage;
        FeatureSteps = featureSteps;
        LabelSteps = labelSteps;
        long labelStepCount = labelSteps?.Sum(s => (long)s) ?? (long)storage.Count * storage.Horizon;
        ValidLabelElements = labelStepCount * storage.OutputFeatureCount;
    }

    /// <summary>Where the rows live; internal so tests can tell the kinds apart.</summary>
    internal ISequenceStorage Storage { get; }

    public Device Device => Storage.Device;

    /// <summary>Input steps of the longest row (L).</summary>
    public int InputSteps => Storage.InputSteps;

    /// <summary>(N, L, F, H, O): the shapes of the features and labels, for fingerprints.</summary>
    public long[] Shape => new long[] { Storage.Count, Storage.InputSteps, Storage.InputFeatureCount, Storage.Horizon, Storage.OutputFeatureCount };

    /// <summary>Features (rows, L, F) and labels (rows, H, O) of the given rows, new tensors in the caller's scope.</summary>
    public (Tensor Features, Tensor Labels) Rows(ReadOnlySpan<long> rows) => Storage.Rows(rows);

    /// <summary>Features and labels of rows [start, start + count).</summary>
    public (Tensor Features, Tensor Labels) Range(int start, int count) => Storage.Range(start, count);

    /// <summary>The known-future features of every row (dense, or cut from the series like the labels), or null.</summary>
    internal FutureWindows? FutureFeatures { get; }

    /// <summary>The known-future features (rows, H, K) of the given rows, a new tensor in the caller's scope; null when there are none.</summary>
    public Tensor? FutureRows(ReadOnlySpan<long> rows) => FutureFeatures?.Rows(rows);

    /// <summary>The known-future features of rows [start, start + count), or null.</summary>
    public Tensor? FutureRange(int start, int count) => FutureFeatures?.Range(start, count);

    /// <summary>Real input steps of each row; null when all rows have Features.shape[1].</summary>
    public int[]? FeatureSteps { get; }

    /// <summary>Real label steps of each row; null when all rows have Labels.shape[1].</summary>
    public int[]? LabelSteps { get; }

    /// <summary>Label values that count in the loss (padding excluded).</summary>
    public long ValidLabelElements { get; }

    public int Count => Storage.Count;

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
        Tensor stepTensor = torch.tensor(steps, dtype: ScalarType.Int64, device: Device);
        return (Native.TensorScalars.Range(Storage.Horizon, Device).unsqueeze(0) < stepTensor.unsqueeze(1)).unsqueeze(2).to(ScalarType.Float32);
    }

    /// <summary>Label values that count in the loss for the given rows.</summary>
    public long ValidLabelElementsOf(ReadOnlySpan<long> rows)
    {
        if (LabelSteps is null)
            return (long)rows.Length * Storage.Horizon * Storage.OutputFeatureCount;
        long steps = 0;
        foreach (long row in rows)
            steps += LabelSteps[row];
        return steps * Storage.OutputFeatureCount;
    }

    /// <summary>Splits off the last <paramref name="count"/> rows (the chronologically last, in data order); the
    /// <paramref name="gap"/> rows before them belong to neither part.</summary>
    public (SequenceDataset Head, SequenceDataset Tail) SplitLast(int count, int gap = 0)
    {
        int headCount = Count - count - gap;
        var head = new SequenceDataset(Storage.Slice(0, headCount), FeatureSteps?[..headCount], LabelSteps?[..headCount], FutureFeatures?.Slice(0, headCount));
        int tailStart = Count - count;
        var tail = new SequenceDataset(Storage.Slice(tailStart, count), FeatureSteps?[tailStart..], LabelSteps?[tailStart..], FutureFeatures?.Slice(tailStart, count));
        return (head, tail);
    }

    public void Dispose()
    {
        Storage.Dispose();
        FutureFeatures?.Dispose();
    }
}
