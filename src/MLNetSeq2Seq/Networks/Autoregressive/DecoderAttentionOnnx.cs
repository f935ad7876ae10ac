using System;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks.Autoregressive;

/// <summary><see cref="DecoderAttention"/> as ONNX nodes: keys projected once per sequence, then one context per decoder step.</summary>
internal sealed class DecoderAttentionOnnx
{
    private readonly OnnxOps _ops;
    private readonly OnnxWeights _weights;
    private readonly string _prefix;
    private readonly AttentionKind _kind;
    private readonly string _encoderOutputs;
    private readonly string _keys;
    private readonly string? _scale;

    // encoderOutputs: (rows, L, K), batch-first.
    public DecoderAttentionOnnx(OnnxOps ops, OnnxWeights weights, string prefix, AttentionKind kind, int hiddenSize, string encoderOutputs)
    {
        _ops = ops;
        _weights = weights;
        _prefix = prefix;
        _kind = kind;
        _encoderOutputs = encoderOutputs;
        bool projected = kind == AttentionKind.Additive || weights.Has($"{prefix}.key_projection.weight");
        _keys = projected ? ops.Linear(encoderOutputs, weights, $"{prefix}.key_projection", bias: false) : encoderOutputs; // (rows, L, H)
        if (kind == AttentionKind.Dot)
            _scale = ops.Scalar($"{prefix}.scale", (float)(1.0 / Math.Sqrt(hiddenSize)));
    }

    /// <summary>The context (rows, K) for a decoder step's <paramref name="query"/> (rows, H).</summary>
    public string Context(string query)
    {
        string scores = _kind == AttentionKind.Dot
            ? _ops.Mul(_ops.Squeeze(_ops.MatMul(_keys, _ops.Unsqueeze(query, 2)), 2), _scale!)
            : _ops.Squeeze(_ops.Linear(_ops.Tanh(_ops.Add(_keys, _ops.Unsqueeze(_ops.Linear(query, _weights, $"{_prefix}.query_projection"), 1))),
                _weights, $"{_prefix}.score", bias: false), 2);
        string attentionWeights = _ops.Softmax(scores, 1); // (rows, L)
        return _ops.Squeeze(_ops.MatMul(_ops.Unsqueeze(attentionWeights, 1), _encoderOutputs), 1);
    }
}
