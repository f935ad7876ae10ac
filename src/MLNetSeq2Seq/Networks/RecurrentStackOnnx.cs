using System;
using System.Collections.Generic;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// A <see cref="RecurrentStack"/> as ONNX GRU/LSTM nodes, one per layer. PyTorch and ONNX order the gate blocks
/// differently (GRU r,z,n → ONNX z,r,h; LSTM i,f,g,o → ONNX i,o,f,c), so the blocks of every weight and bias are
/// reordered; ONNX's bias is [input bias, recurrent bias]; PyTorch's GRU applies the reset gate after the recurrent
/// product (<c>linear_before_reset = 1</c>). ONNX recurrences are time-major (ONNX Runtime rejects <c>layout = 1</c>),
/// so this class works on (T, N, ·) tensors and its callers transpose. A bidirectional layer is one node with both
/// directions' weights stacked; its output feeds the next layer as (T, N, 2H), forward half first, like PyTorch.
/// </summary>
internal sealed class RecurrentStackOnnx
{
    private readonly OnnxOps _ops;
    private readonly OnnxWeights _weights;
    private readonly string _prefix;
    private readonly RecurrentCellType _cell;
    private readonly int _layers;
    private readonly int _hidden;
    private readonly int _directions;
    private readonly Dictionary<int, (string W, string R, string B)> _layerWeights = new();

    // prefix: The state-dict prefix of the stack's GRU/LSTM, e.g. encoder.rnn.
    public RecurrentStackOnnx(OnnxOps ops, OnnxWeights weights, string prefix, RecurrentCellType cell, int layers, int hidden, bool bidirectional)
    {
        _ops = ops;
        _weights = weights;
        _prefix = prefix;
        _cell = cell;
        _layers = layers;
        _hidden = hidden;
        _directions = bidirectional ? 2 : 1;
    }

    /// <summary>
    /// Runs the stack over <paramref name="input"/> (T, N, in) from per-layer states (each (directions, N, H); null:
    /// zeros). Returns the last layer's output (T, N, directions·H) and each layer's final states.
    /// </summary>
    public (string Output, string[] Hidden, string[]? Cell) Run(string input, string[]? initialHidden = null, string[]? initialCell = null)
    {
        bool lstm = _cell == RecurrentCellType.Lstm;
        var hidden = new string[_layers];
        string[]? cell = lstm ? new string[_layers] : null;
        string layerInput = input;
        for (int layer = 0; layer < _layers; layer++)
        {
            var (w, r, b) = LayerWeights(layer);
            var inputs = new List<string> { layerInput, w, r, b, "", initialHidden?[layer] ?? "" };
            if (lstm)
                inputs.Add(initialCell?[layer] ?? "");
            var attributes = new List<OnnxAttribute>
            {
                OnnxAttribute.Int("hidden_size", _hidden),
                OnnxAttribute.String("direction", _directions == 2 ? "bidirectional" : "forward"),
            };
            if (!lstm)
                attributes.Add(OnnxAttribute.Int("linear_before_reset", 1));
            string[] outputs = _ops.Graph.Node(lstm ? "LSTM" : "GRU", inputs, lstm ? 3 : 2, attributes);
            hidden[layer] = outputs[1];
            if (cell is not null)
                cell[layer] = outputs[2];
            // Y is (T, directions, N, H); the next layer and the caller want (T, N, directions·H).
            layerInput = _directions == 1
                ? _ops.Squeeze(outputs[0], 1)
                : _ops.Reshape(_ops.Transpose(outputs[0], 0, 2, 1, 3), 0, 0, -1);
        }
        return (layerInput, hidden, cell);
    }

    private (string W, string R, string B) LayerWeights(int layer)
    {
        if (_layerWeights.TryGetValue(layer, out var written))
            return written;
        // ONNX block k comes from PyTorch block order[k].
        int[] order = _cell == RecurrentCellType.Lstm ? new[] { 0, 3, 1, 2 } : new[] { 1, 0, 2 };
        var w = new List<float>();
        var r = new List<float>();
        var b = new List<float>();
        long inputSize = 0;
        for (int direction = 0; direction < _directions; direction++)
        {
            string suffix = $"_l{layer}" + (direction == 1 ? "_reverse" : "");
            var (wih, wihShape) = _weights.Get($"{_prefix}.weight_ih{suffix}");
            var (whh, _) = _weights.Get($"{_prefix}.weight_hh{suffix}");
            var (bih, _) = _weights.Get($"{_prefix}.bias_ih{suffix}");
            var (bhh, _) = _weights.Get($"{_prefix}.bias_hh{suffix}");
            inputSize = wihShape[1];
            w.AddRange(Reorder(wih, order, _hidden * inputSize));
            r.AddRange(Reorder(whh, order, (long)_hidden * _hidden));
            b.AddRange(Reorder(bih, order, _hidden));
            b.AddRange(Reorder(bhh, order, _hidden));
        }
        long gates = order.Length * (long)_hidden;
        string name = $"{_prefix}.l{layer}";
        var result = (
            _ops.Floats(name + ".W", w.ToArray(), _directions, gates, inputSize),
            _ops.Floats(name + ".R", r.ToArray(), _directions, gates, _hidden),
            _ops.Floats(name + ".B", b.ToArray(), _directions, 2 * gates));
        _layerWeights[layer] = result;
        return result;
    }

    // values holds order.Length blocks of blockSize floats; ONNX block k is PyTorch block order[k].
    private static float[] Reorder(float[] values, int[] order, long blockSize)
    {
        if (values.Length != order.Length * blockSize)
            throw new InvalidOperationException($"ONNX export: a recurrent weight holds {values.Length} values, expected {order.Length} × {blockSize}.");
        var result = new float[values.Length];
        for (int k = 0; k < order.Length; k++)
            Array.Copy(values, order[k] * blockSize, result, k * blockSize, blockSize);
        return result;
    }
}
