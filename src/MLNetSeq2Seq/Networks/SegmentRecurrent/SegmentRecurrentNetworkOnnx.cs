using System;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks.SegmentRecurrent;

/// <summary>
/// <see cref="SegmentRecurrentNetwork"/> as an ONNX graph: segment embedding, one recurrent pass over the segments,
/// then all output segments of all rows as one batch of single recurrent steps. The decoder queries (position
/// embeddings, and inside channel independence the channel embeddings) do not depend on the data, so they are
/// written as one constant per channel and output segment and only broadcast to the batch at run time.
/// </summary>
internal static class SegmentRecurrentNetworkOnnx
{
    /// <summary>(rows, Horizon, O) from <paramref name="features"/> (rows, L, Fᵢ), or from their last L′ steps when the
    /// architecture has a lookback L′ &gt; 0. <paramref name="channels"/>: inside channel independence, rows come in
    /// groups of that many channels (row r is channel r mod channels); else 1.</summary>
    public static string Export(OnnxOps ops, OnnxWeights weights, string prefix, NetworkArchitecture architecture, string features, int inputLength, int channels)
    {
        int lookback = architecture.Lookback;
        if (lookback > 0)
        {
            if (inputLength < lookback)
                throw new NotSupportedException($"ONNX export: the {NetworkFamily.SegmentRecurrent} network reads the last {lookback} steps of a window, but the feature column holds {inputLength}.");
            if (inputLength > lookback)
                features = ops.Slice(features, 1, inputLength - lookback, inputLength);
            inputLength = lookback;
        }
        var (inputs, outputs) = architecture.FamilyFeatureCounts;
        int w = architecture.SegmentLength, hidden = architecture.HiddenSize, layers = architecture.LayerCount;
        long inputSegments = (inputLength + w - 1) / w;
        long padding = inputSegments * w - inputLength;
        long outputSegments = (architecture.Horizon + w - 1) / w;

        // Pad at the front by repeating the first step, cut into segments, embed.
        if (padding > 0)
        {
            string first = ops.Slice(features, 1, 0, 1);
            string repeated = ops.Expand(first, ops.Int64s("padding_shape", 1, padding, 1));
            features = ops.Concat(1, repeated, features);
        }
        string segments = ops.Relu(ops.Linear(ops.Reshape(features, -1, inputSegments, w * inputs), weights, prefix + "segment_embedding"));

        var rnn = new RecurrentStackOnnx(ops, weights, prefix + "rnn.rnn", architecture.Cell, layers, hidden, bidirectional: false);
        var (_, encodedHidden, encodedCell) = rnn.Run(ops.Transpose(segments, 1, 0, 2));

        // Each row's state repeated for its output segments, rows-major like repeat_interleave: (1, rows·m, H) per layer.
        string[] RepeatPerSegment(string[] states) => Array.ConvertAll(states, state =>
            ops.Reshape(ops.Expand(ops.Unsqueeze(state, 2), ops.Int64s("segments_shape", 1, 1, outputSegments, 1)), 1, -1, hidden));
        string[] startHidden = RepeatPerSegment(encodedHidden);
        string[]? startCell = encodedCell is null ? null : RepeatPerSegment(encodedCell);

        // Queries: (channels, m, H) constant → (batch, channels, m, H) → (1, rows·m, H), time-major for one step.
        string queryTable = ops.Floats(prefix + "decoder_queries", Queries(weights, prefix, channels, outputSegments, hidden), channels, outputSegments, hidden);
        string batch = ops.Reshape(ops.Slice(ops.Slice(features, 1, 0, 1), 2, 0, 1), -1, channels); // a (batch, channels) tensor, for its shape
        string queryShape = ops.Concat(0, ops.Shape(batch), ops.Int64s("query_shape", outputSegments, hidden));
        string queries = ops.Reshape(ops.Expand(queryTable, queryShape), 1, -1, hidden);

        var (decoded, _, _) = rnn.Run(queries, startHidden, startCell); // (1, rows·m, H)
        string prediction = ops.Linear(ops.Squeeze(decoded, 0), weights, prefix + "head"); // (rows·m, w·O)
        return ops.Slice(ops.Reshape(prediction, -1, outputSegments * w, outputs), 1, 0, architecture.Horizon);
    }

    // Row c·m + j of the table: position embedding j, then (channel independence) channel embedding c.
    private static float[] Queries(OnnxWeights weights, string prefix, int channels, long outputSegments, int hidden)
    {
        var (position, positionShape) = weights.Get(prefix + "position_embedding");
        int positionSize = (int)positionShape[1];
        float[]? channel = weights.Has(prefix + "channel_embedding") ? weights.Get(prefix + "channel_embedding").Values : null;
        int channelSize = hidden - positionSize;
        if (channel is null && channelSize != 0)
            throw new InvalidOperationException("ONNX export: a channel-independent segment network without its channel embedding.");
        var table = new float[channels * outputSegments * hidden];
        for (int c = 0; c < channels; c++)
        {
            for (long j = 0; j < outputSegments; j++)
            {
                long row = (c * outputSegments + j) * hidden;
                Array.Copy(position, j * positionSize, table, row, positionSize);
                if (channel is not null)
                    Array.Copy(channel, (long)c * channelSize, table, row + positionSize, channelSize);
            }
        }
        return table;
    }
}
