using System.Collections.Generic;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks.Autoregressive;

/// <summary>
/// <see cref="AutoregressiveNetwork"/> as an ONNX graph for full-length windows. The decoder loop is unrolled: Horizon
/// copies of the decoder step (one GRU/LSTM node per layer from the previous state, attention, head), each fed the
/// previous step's prediction, exactly as at inference. Bidirectional encoder states are merged per layer by the bridge.
/// </summary>
internal static class AutoregressiveNetworkOnnx
{
    /// <summary>(rows, Horizon, O) from <paramref name="features"/> (rows, L, Fᵢ); <paramref name="prefix"/> is the
    /// network's state-dict prefix ("" or "inner.").</summary>
    public static string Export(OnnxOps ops, OnnxWeights weights, string prefix, NetworkArchitecture architecture, string features, int inputLength)
    {
        int hidden = architecture.HiddenSize, layers = architecture.LayerCount;
        var encoder = new RecurrentStackOnnx(ops, weights, prefix + "encoder.rnn", architecture.Cell, layers, hidden, architecture.Bidirectional);
        var decoder = new RecurrentStackOnnx(ops, weights, prefix + "decoder.rnn", architecture.Cell, layers, hidden, bidirectional: false);

        var (encoded, encoderHidden, encoderCell) = encoder.Run(ops.Transpose(features, 1, 0, 2));
        string encoderOutputs = ops.Transpose(encoded, 1, 0, 2); // (rows, L, directions·H)
        string[] state = Bridge(ops, weights, prefix + "bridge_hidden", encoderHidden, architecture.Bidirectional);
        string[]? cell = encoderCell is null ? null : Bridge(ops, weights, prefix + "bridge_cell", encoderCell, architecture.Bidirectional);

        DecoderAttentionOnnx? attention = architecture.Attention == AttentionKind.None ? null
            : new DecoderAttentionOnnx(ops, weights, prefix + "attention", architecture.Attention, hidden, encoderOutputs);

        string lastStep = ops.Squeeze(ops.Slice(features, 1, inputLength - 1, inputLength), 1); // (rows, Fᵢ)
        string anchor = ops.Linear(lastStep, weights, prefix + "start");                         // (rows, O)
        string input = ops.Unsqueeze(anchor, 0);                                                 // (1, rows, O)
        var steps = new List<string>(architecture.Horizon);
        for (int t = 0; t < architecture.Horizon; t++)
        {
            var (_, nextHidden, nextCell) = decoder.Run(input, state, cell);
            state = nextHidden;
            cell = nextCell;
            string query = ops.Squeeze(state[layers - 1], 0); // (rows, H): the last layer's output of this one step
            if (attention is not null)
            {
                string context = attention.Context(query);
                query = ops.Tanh(ops.Linear(ops.Concat(1, query, context), weights, prefix + "combine"));
            }
            string correction = ops.Linear(query, weights, prefix + "head");
            string prediction = architecture.ResidualDecoding ? ops.Add(anchor, correction) : correction;
            steps.Add(ops.Unsqueeze(prediction, 1));
            input = ops.Unsqueeze(prediction, 0);
        }
        return ops.Concat(1, steps.ToArray());
    }

    // Per layer (directions, rows, H) → the decoder's (1, rows, H): unchanged for one direction; for two, the layer's
    // forward and backward states side by side, projected and squashed (AutoregressiveNetwork.BridgeDirections).
    private static string[] Bridge(OnnxOps ops, OnnxWeights weights, string bridge, string[] perLayer, bool bidirectional)
    {
        if (!bidirectional)
            return perLayer;
        var merged = new string[perLayer.Length];
        for (int layer = 0; layer < perLayer.Length; layer++)
        {
            string sideBySide = ops.Reshape(ops.Transpose(perLayer[layer], 1, 0, 2), 0, -1); // (rows, 2H)
            merged[layer] = ops.Unsqueeze(ops.Tanh(ops.Linear(sideBySide, weights, bridge)), 0);
        }
        return merged;
    }
}
