using System;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Networks;

/// <summary>The segment-recurrent network with a lookback on its architecture (a search candidate over the last L′
/// steps of longer windows): it reads only those steps, whatever the wrappers around it, and refuses shorter windows.</summary>
public sealed class SegmentRecurrentLookbackTests
{
    private static NetworkArchitecture Architecture(int lookback, InstanceNormalization normalization, bool channelIndependent) =>
        new(3, 3, Horizon: 7, HiddenSize: 16, LayerCount: 1, RecurrentCellType.Gru, Bidirectional: false, AttentionKind.None, Dropout: 0,
            Family: NetworkFamily.SegmentRecurrent, SegmentLength: 4, Normalization: normalization, ChannelIndependent: channelIndependent,
            TargetInputIndices: new[] { 0, 1, 2 }, Lookback: lookback);

    [Theory]
    [InlineData(InstanceNormalization.SubtractLast, true)]
    [InlineData(InstanceNormalization.None, false)]
    public void A_lookback_makes_it_read_the_last_steps_only(InstanceNormalization normalization, bool channelIndependent)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using SequenceNetwork shorter = NetworkFactory.Create(Architecture(lookback: 10, normalization, channelIndependent), seed: 5);
        using SequenceNetwork whole = NetworkFactory.Create(Architecture(lookback: 0, normalization, channelIndependent), seed: 6);
        whole.load_state_dict(shorter.state_dict()); // the same weights: a lookback changes no parameter shape
        shorter.eval();
        whole.eval();
        using var _ = torch.no_grad();
        Tensor windows = torch.randn(new long[] { 5, 24, 3 }, generator: new torch.Generator(2));
        Tensor lastTen = windows.narrow(1, 14, 10);

        Tensor fromLong = shorter.Forward(windows);
        Tensor fromCut = shorter.Forward(lastTen);

        Assert.Equal(new long[] { 5, 7, 3 }, fromLong.shape);
        Assert.True(torch.allclose(fromLong, fromCut, rtol: 0, atol: 1e-6), "the 24-step windows and their last 10 steps give different forecasts");
        Assert.True(torch.allclose(fromLong, whole.Forward(lastTen), rtol: 0, atol: 1e-6), "with the same weights and lookback 0, the cut windows give another forecast");
        // Without the lookback the same weights read all 24 steps, and the older steps change the forecast.
        Assert.False(torch.allclose(fromLong, whole.Forward(windows), rtol: 0, atol: 1e-4));
    }

    [Fact]
    public void A_window_shorter_than_the_lookback_is_refused_naming_both_lengths()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using SequenceNetwork network = NetworkFactory.Create(Architecture(lookback: 12, InstanceNormalization.None, channelIndependent: false), seed: 5);

        var error = Assert.Throws<ArgumentException>(() => network.Forward(torch.randn(2, 8, 3)));

        Assert.Contains("last 12 steps", error.Message);
        Assert.Contains("(2, 8, 3)", error.Message);
    }

    [Theory]
    [InlineData(NetworkFamily.SegmentRecurrent)]
    [InlineData(NetworkFamily.Linear)]
    public void Transform_refuses_a_feature_column_shorter_than_the_lookback_naming_the_column(NetworkFamily family)
    {
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 1);
        options.Family = family;
        using Seq2SeqTransformer trained = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(32, seed: 3)));
        // The same model reading more steps than the 12-step windows hold (a damaged file could say so for a family
        // whose weights do not depend on it).
        int longer = SyntheticSequences.InputLength + 4;
        using var model = new Seq2SeqTransformer(NetworkFactory.Create(trained.Network.Architecture with { Lookback = longer }, seed: 4), trained.State, torch.CPU, host: null);
        IDataView test = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(4, seed: 5));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(test));

        Assert.Equal("inputSchema", error.ParamName);
        Assert.Contains("'Features'", error.Message);
        Assert.Contains($"the last {longer} steps", error.Message);
        Assert.Contains($"holds {SyntheticSequences.InputLength}", error.Message);
    }
}
