using System.Linq;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Networks;

/// <summary>The quantile head: monotone by construction around the wrapped family's point forecast.</summary>
public sealed class QuantileHeadNetworkTests
{
    private static readonly double[] Levels = { 0.05, 0.1, 0.5, 0.75, 0.9 };

    private static NetworkArchitecture Architecture(NetworkFamily family, double[] levels) =>
        new(InputFeatureCount: 3, OutputFeatureCount: 2, Horizon: 6, HiddenSize: 8, LayerCount: 1, RecurrentCellType.Gru,
            Bidirectional: false, AttentionKind.None, Dropout: 0, Family: family, SegmentLength: 3, QuantileLevels: levels);

    [Theory]
    [InlineData(NetworkFamily.AutoregressiveEncoderDecoder)]
    [InlineData(NetworkFamily.SegmentRecurrent)]
    public void Quantiles_never_cross_on_random_weights_even_when_the_head_weights_are_large(NetworkFamily family)
    {
        using var scope = torch.NewDisposeScope();
        using var network = NetworkFactory.Create(Architecture(family, Levels), seed: 7);
        Assert.IsType<QuantileHeadNetwork>(network);
        using (torch.no_grad())
            foreach (var (name, parameter) in network.named_parameters().Where(p => p.name.StartsWith("quantile_gaps")))
                parameter.mul_(torch.randn(parameter.shape, generator: new torch.Generator(3)) * 40); // gaps of every size, many raw values negative
        network.eval();
        Tensor features = torch.randn(new long[] { 16, 12, 3 }, generator: new torch.Generator(5)) * 10;

        var (point, quantiles) = network.ForwardWithQuantiles(features);

        Assert.Equal(new long[] { 16, 6, 2, Levels.Length }, quantiles!.shape);
        float[] q = quantiles.contiguous().data<float>().ToArray();
        int crossings = 0;
        for (int i = 0; i < q.Length; i += Levels.Length)
            for (int k = 1; k < Levels.Length; k++)
                if (q[i + k] < q[i + k - 1])
                    crossings++;
        Assert.Equal(0, crossings);
        // The 0.5 level is the point forecast; the point forecast is the wrapped family's Forward.
        Assert.Equal(point.data<float>().ToArray(), quantiles.select(3, 2).contiguous().data<float>().ToArray());
        Assert.Equal(point.data<float>().ToArray(), network.Forward(features).data<float>().ToArray());
        // The gaps are not all zero: the levels spread around the point (single gaps may underflow to 0, never below).
        Assert.True((quantiles.select(3, 4) - quantiles.select(3, 0)).mean().ToSingle() > 0);
    }

    [Fact]
    public void Levels_without_the_median_still_sit_on_the_right_side_of_the_point()
    {
        using var scope = torch.NewDisposeScope();
        using var network = NetworkFactory.Create(Architecture(NetworkFamily.AutoregressiveEncoderDecoder, new[] { 0.2, 0.3, 0.8 }), seed: 2);
        Tensor features = torch.randn(new long[] { 4, 9, 3 }, generator: new torch.Generator(1));

        var (point, quantiles) = network.ForwardWithQuantiles(features, lengths: torch.tensor(new long[] { 9, 5, 7, 3 }));

        Assert.True((point - quantiles!.select(3, 1)).min().ToSingle() >= 0);
        Assert.True((quantiles.select(3, 2) - point).min().ToSingle() >= 0);
        Assert.True((quantiles.select(3, 1) - quantiles.select(3, 0)).min().ToSingle() >= 0);
    }
}
