using System;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Training;

/// <summary>Validation loss exactly as inference sees the model: eval mode, no gradients, autoregressive decoding.</summary>
internal static class SequenceLoss
{
    /// <summary>The mean of <paramref name="metric"/> over every real label value of <paramref name="data"/>; one device read at the end.</summary>
    public static double Mean(SequenceNetwork network, ISequenceRows data, int batchSize, PointLoss metric)
    {
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            Tensor lossSum = torch.zeros(1, dtype: ScalarType.Float64, device: data.Device);
            long validElements = 0;
            foreach (var (batch, batchRows) in data.InOrder(batchSize))
            {
                using var batchScope = torch.NewDisposeScope();
                ReadOnlySpan<long> rows = batchRows.Span;
                var (features, labels) = batch.Range((int)rows[0], rows.Length); // consecutive rows: a contiguous slice
                Tensor prediction = network.Forward(features, lengths: batch.FeatureLengths(rows), future: batch.FutureRange((int)rows[0], rows.Length));
                AddInPlace(lossSum, metric.Sum(prediction.to(ScalarType.Float64), labels.to(ScalarType.Float64), batch.LabelMask(rows)?.to(ScalarType.Float64)));
                validElements += batch.ValidLabelElementsOf(rows);
            }
            return ReadDouble(lossSum) / validElements;
        }
        finally
        {
            network.train(wasTraining);
        }
    }
}
