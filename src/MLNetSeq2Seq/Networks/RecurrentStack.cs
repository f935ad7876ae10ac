using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Networks;

/// <summary>A stack of GRU or LSTM layers (batch first) behind one interface, so encoder and decoder need not care which.
/// Both paths (dense and packed) go through the layer's <c>call</c>, so its hooks run.</summary>
internal sealed class RecurrentStack : nn.Module
{
    // Named like its state-dict key.
    private readonly nn.Module rnn;

    public RecurrentStack(string name, RecurrentCellType cell, int inputSize, int hiddenSize, int layerCount, double dropout, bool bidirectional)
        : base(name)
    {
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

    /// <summary>
    /// Runs the stack over <paramref name="input"/> (N, T, in) from <paramref name="state"/> (zeros when null).
    /// With <paramref name="lengths"/> (N, int64, on the CPU) the rows are right-padded sequences: they are packed, so
    /// each row's final state is the state after its own last step and padding never enters the computation; the
    /// output is padded back to T with zeros.
    /// </summary>
    public (Tensor Output, RecurrentState State) Forward(Tensor input, RecurrentState? state, Tensor? lengths = null)
    {
        if (lengths is null)
            return ForwardDense(input, state);
        long steps = input.shape[1];
        var packed = torch.nn.utils.rnn.pack_padded_sequence(input, lengths, batch_first: true, enforce_sorted: false);
        if (rnn is GRU gru)
        {
            var (packedOutput, hidden) = gru.call(packed, state?.Hidden);
            return (Unpack(packedOutput, steps), new RecurrentState(hidden, null));
        }
        (Tensor, Tensor)? initial = state is RecurrentState s ? (s.Hidden, s.Cell!) : null;
        var (lstmOutput, lstmHidden, lstmCell) = ((LSTM)rnn).call(packed, initial);
        return (Unpack(lstmOutput, steps), new RecurrentState(lstmHidden, lstmCell));
    }

    private static Tensor Unpack(torch.nn.utils.rnn.PackedSequence packed, long steps)
    {
        var (padded, _) = torch.nn.utils.rnn.pad_packed_sequence(packed, batch_first: true, padding_value: 0, total_length: steps);
        return padded;
    }

    private (Tensor Output, RecurrentState State) ForwardDense(Tensor input, RecurrentState? state)
    {
        if (rnn is GRU gru)
        {
            var (output, hidden) = gru.call(input, state?.Hidden);
            return (output, new RecurrentState(hidden, null));
        }
        var lstm = (LSTM)rnn;
        (Tensor, Tensor)? initial = state is RecurrentState s ? (s.Hidden, s.Cell!) : null;
        var (lstmOutput, lstmHidden, lstmCell) = lstm.call(input, initial);
        return (lstmOutput, new RecurrentState(lstmHidden, lstmCell));
    }
}
