using System;
using System.Linq;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using MLNetSeq2Seq.Networks.Layers;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Networks;

/// <summary>
/// Inference (no_grad: Transform, validation) must compute the same LSTM as training (autograd on). libtorch 2.10 runs
/// an LSTM without autograd through oneDNN, whose AVX-512 kernel gave different numbers (off by 0.15 on an AMD EPYC
/// with AVX-512) — the network a user trained was not the one Transform ran. Native/OneDnnIsaDefault caps oneDNN at
/// AVX2 unless the user chooses.
/// </summary>
public sealed class LstmInferenceTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void An_LSTM_without_autograd_computes_what_it_computes_in_training(int layers, bool bidirectional)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(7);
        var stack = new RecurrentStack("lstm", RecurrentCellType.Lstm, 3, 16, layers, dropout: 0, bidirectional, new ModuleRandom(1));
        using (torch.no_grad())
            foreach (var parameter in stack.parameters())
                parameter.copy_(torch.rand(parameter.shape, generator: generator) - 0.5);
        Tensor input = torch.randn(new long[] { 5, 12, 3 }, generator: generator);

        var (trained, trainedState) = stack.Forward(input, null);
        Tensor inferred, inferredCell;
        using (torch.no_grad())
        {
            var (output, state) = stack.Forward(input, null);
            (inferred, inferredCell) = (output, state.Cell!);
        }

        double error = Math.Max((trained - inferred).abs().max().ToDouble(), (trainedState.Cell! - inferredCell).abs().max().ToDouble());
        Assert.True(error < 1e-5, $"without autograd the LSTM's outputs differ by up to {error:G3} ({TorchRuntime.OneDnnSettings})");
        Assert.True(trained.abs().max().ToDouble() > 1e-2); // not a comparison of zeros
    }
}
