using System;
using MLNetSeq2Seq.Data;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Training;

/// <summary>Validation loss exactly as inference sees the model: eval mode, no gradients, autoregressive decoding.</summary>
internal static class SequenceLoss
{
    /// <summary>Mean squared error over every element of <paramref name="data"/>; one device read at the end.</summary>
    public static double MeanSquaredError(Seq2SeqNetwork network, SequenceDataset data, int batchSize)
    {
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            Tensor squaredErrorSum = torch.zeros(1, dtype: ScalarType.Float64, device: data.Features.device);
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int count = Math.Min(batchSize, data.Count - start);
                using var batchScope = torch.NewDisposeScope();
                Tensor prediction = network.Forward(data.Features.narrow(0, start, count));
                Tensor error = (prediction - data.Labels.narrow(0, start, count)).to(ScalarType.Float64);
                squaredErrorSum.add_(error.pow(2).sum());
            }
            return squaredErrorSum.ToDouble() / data.Labels.numel();
        }
        finally
        {
            network.train(wasTraining);
        }
    }
}
