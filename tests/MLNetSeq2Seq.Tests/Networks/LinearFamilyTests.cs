using System;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Networks;

/// <summary>The linear family: one linear map over the look-back window, shaped by the window length it was trained on,
/// going through the same loop, model file and scorer as every other family.</summary>
public sealed class LinearFamilyTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_network_is_the_window_times_its_weights_plus_its_bias(bool channelIndependent)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var options = new Seq2SeqOptions { Family = NetworkFamily.Linear };
        var architecture = NetworkArchitecture.From(options, 3, 2, 4, channelIndependent ? new[] { 2, 0 } : null, channelIndependent, inputLength: 6);
        using SequenceNetwork network = NetworkFactory.Create(architecture, seed: 5);
        var weights = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());
        Tensor features = torch.randn(new long[] { 5, 6, 3 }, generator: new torch.Generator(2));

        Tensor actual;
        using (torch.no_grad())
            actual = network.Forward(features);

        // By hand: each row's (or each target column's) window, flattened time-major, times Wᵀ, plus b.
        string prefix = channelIndependent ? "inner." : "";
        Tensor w = weights[prefix + "head.weight"], b = weights[prefix + "head.bias"];
        Tensor expected = channelIndependent
            ? torch.stack(new[] { 2L, 0L }.Select(c => features[.., .., c].matmul(w.t()) + b).ToArray(), dim: 2)
            : (features.reshape(5, 18).matmul(w.t()) + b).reshape(5, 4, 2);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True((expected - actual).abs().max().ToDouble() < 1e-5);
        Assert.Equal(channelIndependent ? new long[] { 4, 6 } : new long[] { 8, 18 }, w.shape);
    }

    [Fact]
    public void Shorter_windows_are_refused_with_the_lookback_named_and_longer_ones_are_read_by_their_last_steps()
    {
        var ml = new MLContext(seed: 1);
        var options = SyntheticSequences.SmallOptions(maxEpochs: 1);
        options.Family = NetworkFamily.Linear;
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(32, seed: 1)));
        Assert.Equal(SyntheticSequences.InputLength, model.Network.Architecture.Lookback);

        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => model.Network.Forward(torch.zeros(2, SyntheticSequences.InputLength - 1, SyntheticSequences.FeatureCount)));
        Assert.Contains($"{SyntheticSequences.InputLength} steps", error.Message);

        // A lookback shorter than the windows (a kept linear candidate): the window's last L steps, and nothing before them.
        Tensor longer = torch.randn(new long[] { 3, SyntheticSequences.InputLength + 5, SyntheticSequences.FeatureCount }, generator: new torch.Generator(4));
        Tensor changedEarly = longer.clone();
        changedEarly[.., ..5, ..] = torch.randn(new long[] { 3, 5, SyntheticSequences.FeatureCount }, generator: new torch.Generator(5));
        using (torch.no_grad())
        {
            Tensor recent = model.Network.Forward(longer[.., 5.., ..]);
            Assert.Equal(recent.data<float>().ToArray(), model.Network.Forward(longer).data<float>().ToArray());
            Assert.Equal(recent.data<float>().ToArray(), model.Network.Forward(changedEarly).data<float>().ToArray());
        }
    }

    [Fact]
    public void Known_future_inputs_are_refused_naming_the_option()
    {
        var options = new Seq2SeqOptions { Family = NetworkFamily.Linear, FutureFeatureColumnName = "Future" };

        var error = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Equal(nameof(Seq2SeqOptions.FutureFeatureColumnName), error.ParamName);
    }

    [Fact]
    public void A_file_that_claims_a_linear_network_without_a_lookback_is_refused()
    {
        var architecture = NetworkArchitecture.From(new Seq2SeqOptions { Family = NetworkFamily.Linear }, 2, 2, 4, null, false, inputLength: 8);
        using var stream = new System.IO.MemoryStream();
        using (var writer = new System.IO.BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            (architecture with { Lookback = 0 }).Write(writer);
        stream.Position = 0;

        var error = Assert.Throws<System.IO.InvalidDataException>(() => NetworkArchitecture.Read(new System.IO.BinaryReader(stream)));
        Assert.Contains("lookback", error.Message);
    }
}
