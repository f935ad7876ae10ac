using System;
using TorchSharp;
using MLNetSeq2Seq.Networks.Layers;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Networks;

/// <summary>A stack of GRU or LSTM layers (batch first) behind one interface, so encoder and decoder need not care which.
/// Every layer runs through its <c>call</c>, so hooks on it run.</summary>
internal sealed class RecurrentStack : nn.Module
{
    // Named like its state-dict key.
    private readonly RecurrentLayers rnn;

    public RecurrentStack(string name, RecurrentCellType cell, int inputSize, int hiddenSize, int layerCount, double dropout, bool bidirectional, ModuleRandom random)
        : base(name)
    {
        rnn = new RecurrentLayers(nameof(rnn), cell, inputSize, hiddenSize, layerCount, dropout, bidirectional, random);
        RegisterComponents();
    }

    /// <summary>
    /// Runs the stack over <paramref name="input"/> (N, T, in) from <paramref name="state"/> (zeros when null).
    /// With <paramref name="lengths"/> (N, int64, on the CPU) the rows are right-padded sequences: they are packed, so
    /// each row's final state is the state after its own last step and padding never enters the computation; the
    /// output is padded back to T with zeros. In training mode, dropout between layers is drawn from the network's
    /// own generator.
    /// </summary>
    public (Tensor Output, RecurrentState State) Forward(Tensor input, RecurrentState? state, Tensor? lengths = null) =>
        rnn.Forward(input, state, lengths);
}
