using System;
using System.Linq;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Networks;

/// <summary>The segment-recurrent family and the wrappers (instance normalisation, channel independence) on their own.</summary>
[Collection(GlobalTorchGenerator.Name)]
public sealed class ForecastingNetworkTests
{
    private static NetworkArchitecture Architecture(NetworkFamily family, InstanceNormalization normalization = InstanceNormalization.None,
        bool channelIndependent = false, int features = 3, int horizon = 10, int segment = 4, bool affine = false, RecurrentCellType cell = RecurrentCellType.Gru,
        int inputLength = 13) =>
        new(features, features, horizon, HiddenSize: 16, LayerCount: 1, cell, Bidirectional: false, AttentionKind.None, Dropout: 0.2,
            Family: family, SegmentLength: family == NetworkFamily.SegmentRecurrent ? segment : 1, Normalization: normalization,
            NormalizationAffine: affine, ChannelIndependent: channelIndependent,
            TargetInputIndices: normalization != InstanceNormalization.None || channelIndependent ? Enumerable.Range(0, features).ToArray() : null,
            Lookback: family is NetworkFamily.Linear or NetworkFamily.PatchTransformer ? inputLength : 0, // their heads are shaped by the window length
            FamilyFields: family == NetworkFamily.PatchTransformer ? new MLNetSeq2Seq.Networks.PatchTransformer.PatchTransformerFields(PatchLength: 4, PatchStride: 3, HeadCount: 2, FeedForwardSize: 16) : null);

    private static SequenceNetwork Create(NetworkArchitecture architecture, int seed = 3)
    {
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(seed);
        SequenceNetwork network = NetworkFactory.Create(architecture);
        network.eval();
        return network;
    }

    public static TheoryData<NetworkFamily, InstanceNormalization, bool> Normalised()
    {
        var data = new TheoryData<NetworkFamily, InstanceNormalization, bool>();
        foreach (NetworkFamily family in Enum.GetValues<NetworkFamily>())
            foreach (InstanceNormalization normalization in new[] { InstanceNormalization.SubtractLast, InstanceNormalization.Standardize })
                foreach (bool channelIndependent in new[] { false, true })
                    data.Add(family, normalization, channelIndependent);
        return data;
    }

    [Theory]
    [MemberData(nameof(Normalised))]
    public void Instance_normalisation_shifts_the_forecast_by_a_constant_offset_of_the_input(NetworkFamily family, InstanceNormalization normalization, bool channelIndependent)
    {
        using SequenceNetwork network = Create(Architecture(family, normalization, channelIndependent));
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Tensor features = torch.randn(5, 13, 3);
        Tensor offset = torch.tensor(new float[] { 7.5f, -3f, 120f }).view(1, 1, 3);

        Tensor forecast = network.Forward(features);
        Tensor shifted = network.Forward(features + offset);

        Assert.Equal(new long[] { 5, 10, 3 }, forecast.shape);
        double error = (shifted - (forecast + offset)).abs().max().ToDouble();
        Assert.True(error < 2e-4, $"the shifted input's forecast is off the shifted forecast by up to {error:G3}");
        Assert.False(torch.allclose(forecast, shifted, rtol: 0, atol: 1e-3)); // the offset did reach the output
    }

    [Fact]
    public void Standardize_with_affine_maps_a_scaled_window_to_the_scaled_forecast()
    {
        using SequenceNetwork network = Create(Architecture(NetworkFamily.SegmentRecurrent, InstanceNormalization.Standardize, channelIndependent: true, affine: true));
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Tensor features = torch.randn(4, 12, 3);

        Tensor forecast = network.Forward(features);
        Tensor scaled = network.Forward(features * 40 + 2);

        double error = (scaled - (forecast * 40 + 2)).abs().max().ToDouble();
        Assert.True(error < 5e-3, $"scaled forecast off by {error:G3}");
    }

    [Theory]
    [InlineData(NetworkFamily.SegmentRecurrent)]
    [InlineData(NetworkFamily.AutoregressiveEncoderDecoder)]
    public void A_channel_independent_forecast_of_column_k_ignores_every_other_column(NetworkFamily family)
    {
        using SequenceNetwork network = Create(Architecture(family, InstanceNormalization.SubtractLast, channelIndependent: true));
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Tensor features = torch.randn(6, 16, 3);
        Tensor changed = features.clone();
        changed[.., .., 1] = torch.randn(6, 16) * 5; // column 1 only

        Tensor before = network.Forward(features), after = network.Forward(changed);

        Assert.True(TensorAssert.Identical(before[.., .., 0], after[.., .., 0]));
        Assert.True(TensorAssert.Identical(before[.., .., 2], after[.., .., 2]));
        Assert.False(torch.allclose(before[.., .., 1], after[.., .., 1])); // column 1's own forecast moved
    }

    [Fact]
    public void Without_channel_independence_the_columns_mix()
    {
        using SequenceNetwork network = Create(Architecture(NetworkFamily.SegmentRecurrent, InstanceNormalization.SubtractLast, channelIndependent: false));
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Tensor features = torch.randn(6, 16, 3);
        Tensor changed = features.clone();
        changed[.., .., 1] = torch.randn(6, 16) * 5;

        Assert.False(torch.allclose(network.Forward(features)[.., .., 0], network.Forward(changed)[.., .., 0]));
    }

    [Theory]
    [InlineData(RecurrentCellType.Gru, true)]
    [InlineData(RecurrentCellType.Lstm, false)]
    public void The_parallel_decoders_forecast_for_a_segment_does_not_depend_on_later_segments(RecurrentCellType cell, bool channelIndependent)
    {
        // H = 10 with w = 4: segments [0, 4), [4, 8), [8, 10 of 12).
        using SequenceNetwork network = Create(Architecture(NetworkFamily.SegmentRecurrent, channelIndependent: channelIndependent, cell: cell));
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Tensor features = torch.randn(4, 12, 3);
        Tensor before = network.Forward(features);

        var positions = network.named_parameters().Single(p => p.name.EndsWith("position_embedding", StringComparison.Ordinal)).parameter;
        positions[2].add_(torch.randn_like(positions[2]) * 3); // the last segment's embedding
        Tensor after = network.Forward(features);

        Assert.True(TensorAssert.Identical(before.narrow(1, 0, 8), after.narrow(1, 0, 8)));
        Assert.False(torch.allclose(before.narrow(1, 8, 2), after.narrow(1, 8, 2)));
    }

    [Theory]
    [InlineData(13, 10, 4)] // neither L nor H a multiple of w
    [InlineData(24, 24, 24)]
    [InlineData(5, 30, 24)] // L shorter than one segment
    [InlineData(50, 3, 24)] // H shorter than one segment
    public void Inputs_and_horizons_need_not_be_multiples_of_the_segment_length(int inputLength, int horizon, int segment)
    {
        using SequenceNetwork network = Create(Architecture(NetworkFamily.SegmentRecurrent, InstanceNormalization.SubtractLast, true, horizon: horizon, segment: segment));
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Tensor features = torch.randn(3, inputLength, 3);

        Tensor forecast = network.Forward(features);

        Assert.Equal(new long[] { 3, horizon, 3 }, forecast.shape);
        Assert.True(forecast.isfinite().all().ToBoolean());
        // The front padding repeats the first step: prepending copies of it up to the next whole segment changes nothing.
        long padding = (segment - inputLength % segment) % segment;
        if (padding > 0)
        {
            Tensor padded = torch.cat(new[] { features.narrow(1, 0, 1).expand(3, padding, 3), features }, dim: 1);
            Assert.True(TensorAssert.Identical(forecast, network.Forward(padded)));
        }
    }

    [Fact]
    public void The_segment_family_refuses_variable_length_inputs_with_a_clear_message()
    {
        using SequenceNetwork network = Create(Architecture(NetworkFamily.SegmentRecurrent));
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => network.Forward(torch.randn(2, 8, 3), lengths: torch.tensor(new long[] { 8, 5 })));
        Assert.Contains("full-length input windows", error.Message);
        Assert.Contains(nameof(NetworkFamily.AutoregressiveEncoderDecoder), error.Message);
    }

    [Fact]
    public void Subtract_last_uses_each_rows_last_real_step_when_rows_are_padded()
    {
        using SequenceNetwork network = Create(Architecture(NetworkFamily.AutoregressiveEncoderDecoder, InstanceNormalization.SubtractLast));
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Tensor features = torch.randn(2, 9, 3);
        Tensor lengths = torch.tensor(new long[] { 9, 6 });

        Tensor padded = network.Forward(features, lengths);
        Tensor alone = network.Forward(features.narrow(0, 1, 1).narrow(1, 0, 6));

        Assert.True(torch.allclose(padded[1], alone[0], rtol: 1e-5, atol: 1e-5));
    }
}
