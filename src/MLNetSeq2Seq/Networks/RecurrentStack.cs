using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Networks;

/// <summary>A stack of GRU or LSTM layers (batch first) behind one interface, so encoder and decoder need not care which.</summary>
internal sealed class RecurrentStack : nn.Module
{
    // Named like its state-dict key.
    private readonly nn.Module rnn;
    private readonly RecurrentCellType _cell;

    public RecurrentStack(string name, RecurrentCellType cell, int inputSize, int hiddenSize, int layerCount, double dropout, bool bidirectional)
        : base(name)
    {
        _cell = cell;
        // PyTorch applies inter-layer dropout only between layers; with one layer it would warn and do nothing.
        double interLayerDropout = layerCount > 1 ? dropout : 0;
        rnn = cell switch
        {
            RecurrentCellType.Gru => nn.GRU(inputSize, hiddenSize, layerCount, bias: true, batchFirst: true, dropout: interLayerDropout, bidirectional: bidirectional),
            RecurrentCellType.Lstm => nn.LSTM(inputSize, hiddenSize, layerCount, bias: true, batchFirst: true, dropout: interLayerDropout, bidirectional: bidirectional),
            _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown cell type."),
        };
        RegisterComponents();
    }

    public bool HasCellState => _cell == RecurrentCellType.Lstm;

    /// <summary>Runs the stack over <paramref name="input"/> (N, T, in) from <paramref name="state"/> (zeros when null).</summary>
    public (Tensor Output, RecurrentState State) Forward(Tensor input, RecurrentState? state)
    {
        if (rnn is GRU gru)
        {
            var (output, hidden) = gru.forward(input, state?.Hidden);
            return (output, new RecurrentState(hidden, null));
        }
        var lstm = (LSTM)rnn;
        (Tensor, Tensor)? initial = state is RecurrentState s ? (s.Hidden, s.Cell!) : null;
        var (lstmOutput, lstmHidden, lstmCell) = lstm.forward(input, initial);
        return (lstmOutput, new RecurrentState(lstmHidden, lstmCell));
    }
}
