using System;
using System.Linq;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Networks;

/// <summary>Known-future features inside both families and the wrappers: which forecast steps each step's features reach.</summary>
[Collection(GlobalTorchGenerator.Name)]
public sealed class FutureFeatureNetworkTests
{
    private const int Features = 2, Horizon = 10, K = 3, Segment = 4;

    private static SequenceNetwork Create(NetworkFamily family, bool channelIndependent)
    {
        TorchRuntime.EnsureLoaded();
        var architecture = new NetworkArchitecture(Features, Features, Horizon, HiddenSize: 16, LayerCount: 1, RecurrentCellType.Gru, Bidirectional: false,
            AttentionKind.None, Dropout: 0, Family: family, SegmentLength: family == NetworkFamily.SegmentRecurrent ? Segment : 1,
            Normalization: InstanceNormalization.SubtractLast, ChannelIndependent: channelIndependent, TargetInputIndices: new[] { 0, 1 }, FutureFeatureCount: K,
            Lookback: family == NetworkFamily.Linear ? 12 : 0);
        SequenceNetwork network = NetworkFactory.Create(architecture, seed: 5);
        network.eval();
        return network;
    }

    public static TheoryData<NetworkFamily, bool> Families()
    {
        var data = new TheoryData<NetworkFamily, bool>();
        // Every family that takes known-future inputs (the others refuse them: LinearFamilyTests, PatchTransformerFamilyTests).
        foreach (NetworkFamily family in NetworkFamilies.All.Where(f => f.TakesFutureFeatures).Select(f => f.Id))
            foreach (bool channelIndependent in new[] { false, true })
                data.Add(family, channelIndependent);
        return data;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void A_steps_future_features_change_that_step_and_never_an_earlier_segment_or_step(NetworkFamily family, bool channelIndependent)
    {
        using SequenceNetwork network = Create(family, channelIndependent);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Tensor features = torch.randn(4, 12, Features);
        Tensor future = torch.randn(4, Horizon, K);
        const int changed = 6;
        Tensor other = future.clone();
        other[.., changed, ..] = torch.randn(4, K);

        float[] before = network.Forward(features, future: future).data<float>().ToArray();
        float[] after = network.Forward(features, future: other).data<float>().ToArray();

        Assert.Equal(4 * Horizon * Features, before.Length);
        // Autoregressive: steps before the changed one cannot see it; segments: only the changed step's segment moves.
        int firstAffected = family == NetworkFamily.SegmentRecurrent ? changed / Segment * Segment : changed;
        int lastAffected = family == NetworkFamily.SegmentRecurrent ? firstAffected + Segment - 1 : Horizon - 1;
        for (int row = 0; row < 4; row++)
            for (int step = 0; step < Horizon; step++)
                for (int o = 0; o < Features; o++)
                {
                    int i = (row * Horizon + step) * Features + o;
                    if (step < firstAffected || step > lastAffected)
                        Assert.Equal(before[i], after[i]);
                }
        int atChanged = (0 * Horizon + changed) * Features;
        Assert.NotEqual(before[atChanged], after[atChanged]);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Missing_or_misshapen_future_features_are_an_error_with_the_expected_shape(NetworkFamily family, bool channelIndependent)
    {
        using SequenceNetwork network = Create(family, channelIndependent);
        using var scope = torch.NewDisposeScope();
        Tensor features = torch.randn(2, 12, Features);
        Assert.Contains("known-future", Assert.Throws<ArgumentException>(() => network.Forward(features)).Message);
        Assert.Contains($"(2, {Horizon}, {K})", Assert.Throws<ArgumentException>(() => network.Forward(features, future: torch.randn(2, Horizon, K + 1))).Message);
    }
}
