using System;
using MLNetSeq2Seq.Data;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Training;

/// <summary>Validation loss exactly as inference sees the model: eval mode, no gradients, autoregressive decoding.</summary>
internal static class SequenceLoss
{
    /// <summary>The mean of <paramref name="metric"/> over every real label value of <paramref name="data"/>; one device read at the end.</summary>
    public static double Mean(SequenceNetwork network, SequenceDataset data, int batchSize, PointLoss metric)
    {
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            Tensor lossSum = torch.zeros(1, dtype: ScalarType.Float64, device: data.Device);
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int count = Math.Min(batchSize, data.Count - start);
                using var batchScope = torch.NewDisposeScope();
                long[] rows = new long[count];
                for (int i = 0; i < count; i++)
                    rows[i] = start + i;
                var (features, labels) = data.Range(start, count);
                Tensor prediction = network.Forward(features, lengths: data.FeatureLengths(rows), future: data.FutureRange(start, count));
                AddInPlace(lossSum, metric.Sum(prediction.to(ScalarType.Float64), labels.to(ScalarType.Float64), data.LabelMask(rows)?.to(ScalarType.Float64)));
            }
            return lossSum.ToDouble() / data.ValidLabelElements;
        }
        finally
        {
            network.train(wasTraining);
        }
    }
}
