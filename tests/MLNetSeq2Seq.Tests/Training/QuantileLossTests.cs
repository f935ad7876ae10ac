using System;
using System.Linq;
using MLNetSeq2Seq.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Training;

/// <summary>The quantile training loss against a hand computation from the same numbers.</summary>
public sealed class QuantileLossTests
{
    private static readonly double[] Levels = { 0.1, 0.5, 0.9 };

    private static double Pinball(double tau, double label, double quantile)
    {
        double error = label - quantile;
        return error >= 0 ? tau * error : (tau - 1) * error;
    }

    [Fact]
    public void Pinball_loss_and_its_combination_with_the_point_loss_match_a_hand_computation()
    {
        using var scope = torch.NewDisposeScope();
        var random = new Random(11);
        const int n = 3, h = 4, o = 2, q = 3;
        double[] labels = Enumerable.Range(0, n * h * o).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        double[] points = Enumerable.Range(0, n * h * o).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        double[] quantiles = Enumerable.Range(0, n * h * o * q).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        // Row 1 has only its first 2 steps real.
        double[] mask = Enumerable.Range(0, n * h * o).Select(i => i / (h * o) == 1 && (i % (h * o)) / o >= 2 ? 0.0 : 1.0).ToArray();

        double pinball = 0, squared = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            squared += mask[i] * Math.Pow(points[i] - labels[i], 2);
            for (int k = 0; k < q; k++)
                pinball += mask[i] * Pinball(Levels[k], labels[i], quantiles[i * q + k]);
        }

        Tensor labelTensor = torch.tensor(labels, new long[] { n, h, o });
        Tensor pointTensor = torch.tensor(points, new long[] { n, h, o });
        Tensor quantileTensor = torch.tensor(quantiles, new long[] { n, h, o, q });
        Tensor maskTensor = torch.tensor(mask, new long[] { n, h, o });
        var loss = new QuantileLoss(new PointLoss(LossFunction.MeanSquaredError, 1), PointWeight: 0.25, Levels);

        Assert.Equal(pinball, QuantileLoss.PinballSum(quantileTensor, labelTensor, maskTensor, Levels).ToDouble(), 9);
        Assert.Equal(0.25 * squared + pinball / q, loss.Sum(pointTensor, quantileTensor, labelTensor, maskTensor).ToDouble(), 9);
        Assert.Equal(pinball / q, (loss with { PointWeight = 0 }).Sum(pointTensor, quantileTensor, labelTensor, maskTensor).ToDouble(), 9);
        // A point-only network (no quantiles) is trained on the point loss alone.
        Assert.Equal(squared, loss.Sum(pointTensor, null, labelTensor, maskTensor).ToDouble(), 9);
    }
}
