using System;
using System.Linq;
using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// The content part of a run's data fingerprint: row count, shapes, and the values of <see cref="SampledRows"/> rows
/// sampled evenly (first and last included). In-memory rows hash through <see cref="Append"/>; streamed rows sample
/// the same row numbers with <see cref="SampleRows"/> as they are read.
/// </summary>
internal static class RowFingerprint
{
    /// <summary>Rows sampled (evenly, first and last included) for the data fingerprint of each of training and validation data.</summary>
    public const int SampledRows = 64;

    /// <summary>Row count, shapes, and the features, labels and lengths of <see cref="SampledRows"/> sampled rows.</summary>
    public static void Append(IncrementalHash hash, SequenceDataset data)
    {
        using var scope = torch.NewDisposeScope();
        long[] rows = SampleRows(data.Count);
        // (N, L, F) then (N, H, O), as the copied tensors' shapes were hashed: a checkpoint resumes on either storage.
        long[] shape = data.Shape;
        foreach (long dimension in new[] { shape[0], shape[1], shape[2], shape[0], shape[3], shape[4] })
            hash.AppendData(BitConverter.GetBytes(dimension));
        var (features, labels) = data.Rows(rows);
        foreach (Tensor values in new[] { features, labels })
            hash.AppendData(values.cpu().contiguous().bytes);
        foreach (int[]? steps in new[] { data.FeatureSteps, data.LabelSteps })
            foreach (long row in rows)
                hash.AppendData(BitConverter.GetBytes(steps?[row] ?? -1));
    }

    /// <summary>The row numbers to hash among <paramref name="count"/> rows: all of them up to <see cref="SampledRows"/>,
    /// otherwise that many evenly spaced.</summary>
    public static long[] SampleRows(long count)
    {
        if (count <= SampledRows)
            return Enumerable.Range(0, (int)count).Select(i => (long)i).ToArray();
        return Enumerable.Range(0, SampledRows).Select(i => i * (count - 1) / (SampledRows - 1)).ToArray();
    }
}
