using System.Linq;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Networks.Layers;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Networks;

/// <summary>A recurrent stack with dropout between its layers (one native module per layer, masks from the network's
/// generator) and one without (one native multi-layer module) are the same network to everything outside: the same
/// parameter names and, from the same seed, the same weights; in eval mode the same outputs.</summary>
public sealed class RecurrentLayersTests
{
    [Theory]
    [InlineData(RecurrentCellType.Gru, false)]
    [InlineData(RecurrentCellType.Lstm, true)]
    public void With_and_without_inter_layer_dropout_the_stack_has_the_same_names_weights_and_eval_outputs(RecurrentCellType cell, bool bidirectional)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using var random = new ModuleRandom(12);
        using var withDropout = new RecurrentStack("rnn", cell, 3, 8, 3, dropout: 0.4, bidirectional, random);
        using var without = new RecurrentStack("rnn", cell, 3, 8, 3, dropout: 0, bidirectional, new ModuleRandom(12));

        var a = withDropout.named_parameters().ToList();
        var b = without.named_parameters().ToList();
        Assert.Equal(b.Select(p => p.name), a.Select(p => p.name));
        Assert.Contains("rnn.weight_ih_l2", a.Select(p => p.name));
        for (int i = 0; i < a.Count; i++)
            Assert.Equal(b[i].parameter.data<float>().ToArray(), a[i].parameter.data<float>().ToArray());

        Tensor input = torch.randn(new long[] { 4, 7, 3 }, generator: new torch.Generator(3));
        withDropout.eval();
        without.eval();
        using (torch.no_grad())
        {
            var (stacked, stackedState) = withDropout.Forward(input, null);
            var (single, singleState) = without.Forward(input, null);
            Assert.True((stacked - single).abs().max().ToDouble() < 1e-6);
            Assert.True((stackedState.Hidden - singleState.Hidden).abs().max().ToDouble() < 1e-6);
            Assert.Equal(singleState.Hidden.shape, stackedState.Hidden.shape);
        }

        // In training mode the dropout between layers is drawn from the stack's generator: one seed, one output; another
        // seed, another output.
        withDropout.train();
        Tensor Drawn(long seed)
        {
            random.ReseedDropout(seed);
            using (torch.no_grad())
                return withDropout.Forward(input, null).Output;
        }
        Assert.Equal(Drawn(5).data<float>().ToArray(), Drawn(5).data<float>().ToArray());
        Assert.NotEqual(Drawn(5).data<float>().ToArray(), Drawn(6).data<float>().ToArray());
    }
}
