using System.Collections.Generic;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using MLNetSeq2Seq.Networks.Layers;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Networks;

/// <summary>Networks are typed TorchSharp modules (<c>Module&lt;SequenceInput, Tensor&gt;</c>) called through <c>call</c>:
/// forward hooks see every module of the composition (quantile head, instance normalisation, channel independence, the
/// family), with the input each got.</summary>
public sealed class TypedModuleTests
{
    [Theory]
    [InlineData(NetworkFamily.AutoregressiveEncoderDecoder)]
    [InlineData(NetworkFamily.SegmentRecurrent)]
    [InlineData(NetworkFamily.Linear)]
    [InlineData(NetworkFamily.PatchTransformer)]
    public void Forward_hooks_run_on_every_wrapper_and_the_family_with_the_rows_each_saw(NetworkFamily family)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var options = new Seq2SeqOptions { Family = family, FamilyOptions = family == NetworkFamily.SegmentRecurrent ? new SegmentRecurrentOptions { SegmentLength = 4 } : null, HiddenSize = 8, InstanceNormalization = InstanceNormalization.SubtractLast, Quantiles = new() { Levels = new[] { 0.1, 0.5, 0.9 } } };
        if (family == NetworkFamily.PatchTransformer)
            options.FamilyOptions = new PatchTransformerOptions { PatchLength = 4, PatchStride = 2, ModelSize = 8, HeadCount = 2, LayerCount = 1, FeedForwardSize = 8 };
        var architecture = NetworkArchitecture.From(options, 3, 2, 5, new[] { 1, 0 }, channelIndependent: true, inputLength: 8);
        using SequenceNetwork network = NetworkFactory.Create(architecture, seed: 3);
        network.eval();
        var seen = new List<(string Module, long Rows, long[] Output)>();
        foreach (var (_, module) in network.named_modules())
        {
            if (module is SequenceNetwork typed)
                typed.register_forward_hook((m, input, output) => { seen.Add((m.GetType().Name, input.Features.shape[0], output.shape)); return output; });
        }

        network.register_forward_hook((m, input, output) => { seen.Add((m.GetType().Name, input.Features.shape[0], output.shape)); return output; });

        Tensor features = torch.randn(new long[] { 4, 8, 3 }, generator: new torch.Generator(1));
        Tensor point = network.Forward(features);

        Assert.Equal(new long[] { 4, 5, 2 }, point.shape);
        // Inner modules finish first: the family on 4 rows × 2 channels, then the wrappers on the caller's 4 rows.
        string familyType = NetworkFamilies.Get(family).Build(architecture, new ModuleRandom(1)).GetType().Name;
        Assert.Contains(seen, s => s.Module == familyType && s.Rows == 8 && s.Output[0] == 8);
        Assert.Contains(seen, s => s.Module == nameof(ChannelIndependentNetwork) && s.Rows == 4);
        Assert.Contains(seen, s => s.Module == nameof(InstanceNormalizedNetwork) && s.Rows == 4);
        Assert.Contains(seen, s => s.Module == nameof(QuantileHeadNetwork) && s.Rows == 4);
    }

    [Fact]
    public void The_last_real_step_is_the_padded_rows_own_last_step()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        Tensor features = torch.arange(0, 2 * 4 * 3, dtype: ScalarType.Float32).reshape(2, 4, 3);

        Tensor full = LastSteps.Of(features, null);
        Tensor padded = LastSteps.Of(features, torch.tensor(new long[] { 2, 4 }));

        Assert.Equal(new[] { 9f, 10f, 11f, 21f, 22f, 23f }, full.data<float>().ToArray());
        Assert.Equal(new[] { 3f, 4f, 5f, 21f, 22f, 23f }, padded.data<float>().ToArray());
    }
}
