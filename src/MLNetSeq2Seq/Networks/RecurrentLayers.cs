using System;
using System.Collections.Generic;
using System.Linq;
using MLNetSeq2Seq.Networks.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// A multi-layer GRU or LSTM (batch first). With dropout between layers it is built as one single-layer native module
/// per layer, so that the dropout is drawn from the network's own <see cref="ModuleRandom"/> (a multi-layer native
/// module would draw it from torch's global generator); without, as one native module. To everything else it is one PyTorch GRU/LSTM: its parameters are named as
/// PyTorch names a multi-layer module's (<c>weight_ih_l{k}</c>, <c>bias_hh_l{k}_reverse</c>, …), so state dicts, model
/// files, ONNX and the Python reference are unchanged. Every weight is redrawn from U(−1/√H, 1/√H), PyTorch's
/// default, with the network's generator.
/// </summary>
internal sealed class RecurrentLayers : nn.Module
{
    private readonly nn.Module[] _layers;
    private readonly int _directions;
    private readonly double _dropout;
    private readonly ModuleRandom _random;
    private (string Name, Parameter Parameter)[] _renamed;

    public RecurrentLayers(string name, RecurrentCellType cell, int inputSize, int hiddenSize, int layerCount, double dropout, bool bidirectional, ModuleRandom random)
        : base(name)
    {
        _directions = bidirectional ? 2 : 1;
        // PyTorch applies inter-layer dropout only between layers.
        _dropout = layerCount > 1 ? dropout : 0;
        _random = random;
        // Without dropout between layers there is nothing to draw between them: one native multi-layer module computes
        // the same in one call (its weights are redrawn in the same order, so the same seed gives the same weights).
        int modules = _dropout > 0 ? layerCount : 1;
        int layersPerModule = _dropout > 0 ? 1 : layerCount;
        _layers = new nn.Module[modules];
        double bound = 1 / Math.Sqrt(hiddenSize);
        // TorchSharp's native GRU/LSTM constructors fill their weights from torch's global generator. Those values are
        // redrawn below from the network's own generator, and the global generator's state is put back (no lock: a
        // thread drawing from it at this very moment may see a number twice), so a caller's seeded draws go on as if no
        // network had been built.
        using Tensor callerState = torch.random.get_rng_state();
        for (int k = 0; k < modules; k++)
        {
            long layerInput = k == 0 ? inputSize : (long)hiddenSize * _directions;
            _layers[k] = cell switch
            {
                RecurrentCellType.Gru => nn.GRU(layerInput, hiddenSize, layersPerModule, bias: true, batchFirst: true, bidirectional: bidirectional),
                RecurrentCellType.Lstm => nn.LSTM(layerInput, hiddenSize, layersPerModule, bias: true, batchFirst: true, bidirectional: bidirectional),
                _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown cell type."),
            };
            foreach (var (_, parameter) in _layers[k].named_parameters())
                random.DrawUniform(parameter, bound);
        }
        torch.random.set_rng_state(callerState);
        _renamed = CollectParameters();
    }

    /// <summary>See <see cref="RecurrentStack.Forward"/>.</summary>
    public (Tensor Output, RecurrentState State) Forward(Tensor input, RecurrentState? state, Tensor? lengths)
    {
        if (_layers.Length == 1)
            return Run(_layers[0], input, state, lengths);
        bool drop = _dropout > 0 && training;
        Tensor layerInput = input;
        var hidden = new Tensor[_layers.Length];
        var cells = new Tensor?[_layers.Length];
        for (int k = 0; k < _layers.Length; k++)
        {
            RecurrentState? layerState = state is RecurrentState s
                ? new RecurrentState(s.Hidden.narrow(0, k * _directions, _directions), s.Cell?.narrow(0, k * _directions, _directions))
                : null;
            var (output, final) = Run(_layers[k], layerInput, layerState, lengths);
            (hidden[k], cells[k]) = (final.Hidden, final.Cell);
            layerInput = drop && k < _layers.Length - 1 ? _random.Drop(output, _dropout) : output;
        }
        Tensor? cell = cells[0] is null ? null : torch.cat(cells.Select(c => c!).ToArray(), 0);
        return (layerInput, new RecurrentState(torch.cat(hidden, 0), cell));
    }

    // One layer over padded (N, T, ·) rows; with lengths it packs them itself, so padding never enters.
    private static (Tensor Output, RecurrentState State) Run(nn.Module layer, Tensor input, RecurrentState? state, Tensor? lengths)
    {
        if (lengths is null)
        {
            if (layer is GRU gru)
            {
                var (output, hidden) = gru.call(input, state?.Hidden);
                return (output, new RecurrentState(hidden, null));
            }
            (Tensor, Tensor)? initial = state is RecurrentState s ? (s.Hidden, s.Cell!) : null;
            var (lstmOutput, lstmHidden, lstmCell) = ((LSTM)layer).call(input, initial);
            return (lstmOutput, new RecurrentState(lstmHidden, lstmCell));
        }
        long steps = input.shape[1];
        var packed = torch.nn.utils.rnn.pack_padded_sequence(input, lengths, batch_first: true, enforce_sorted: false);
        if (layer is GRU packedGru)
        {
            var (packedOutput, hidden) = packedGru.call(packed, state?.Hidden);
            return (Unpack(packedOutput, steps), new RecurrentState(hidden, null));
        }
        (Tensor, Tensor)? start = state is RecurrentState t ? (t.Hidden, t.Cell!) : null;
        var (lstmPacked, lstmPackedHidden, lstmPackedCell) = ((LSTM)layer).call(packed, start);
        return (Unpack(lstmPacked, steps), new RecurrentState(lstmPackedHidden, lstmPackedCell));
    }

    private static Tensor Unpack(torch.nn.utils.rnn.PackedSequence packed, long steps)
    {
        var (padded, _) = torch.nn.utils.rnn.pad_packed_sequence(packed, batch_first: true, padding_value: 0, total_length: steps);
        return padded;
    }

    // The layers' parameters under the names one multi-layer PyTorch module gives them: with one module per layer, layer
    // k's "weight_ih_l0" is "weight_ih_lk"; a single (multi-layer) module's names are already those.
    private (string Name, Parameter Parameter)[] CollectParameters() =>
        _layers.SelectMany((layer, k) => layer.named_parameters().Select(p => (p.name.Replace("_l0", $"_l{k}", StringComparison.Ordinal), p.parameter))).ToArray();

    public override IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) => _renamed;

    public override void train(bool train = true)
    {
        base.train(train);
        foreach (nn.Module layer in _layers)
            layer.train(train);
    }

    // The layers are not registered children (their own names would show), so moves go to them here, and the names are
    // collected again from the moved modules.
    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
    {
        foreach (nn.Module layer in _layers)
            layer.to(device, dtype, non_blocking);
        _renamed = CollectParameters();
        return this;
    }

    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
    {
        foreach (nn.Module layer in _layers)
            layer.to(deviceType, deviceIndex, non_blocking);
        _renamed = CollectParameters();
        return this;
    }

    protected override nn.Module _to(ScalarType dtype, bool non_blocking)
    {
        foreach (nn.Module layer in _layers)
            layer.to(dtype, non_blocking);
        _renamed = CollectParameters();
        return this;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (nn.Module layer in _layers)
                layer.Dispose();
            _renamed = Array.Empty<(string, Parameter)>();
        }
        base.Dispose(disposing);
    }
}
