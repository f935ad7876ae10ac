using System;
using MLNetSeq2Seq.Networks.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Networks.Autoregressive;

/// <summary>
/// Attention of a decoder step (query: its output, N × hidden) over the encoder outputs (N × L × keySize).
/// Keys are prepared once per sequence; each decoder step then costs one batched product.
/// </summary>
internal sealed class DecoderAttention : nn.Module
{
    // Named like their state-dict keys. Unused projections are null and not registered.
    private readonly DenseLayer? key_projection;
    private readonly DenseLayer? query_projection;
    private readonly DenseLayer? score;
    private readonly AttentionKind _kind;
    private readonly double _scale;

    public DecoderAttention(string name, AttentionKind kind, int keySize, int hiddenSize, ModuleRandom random) : base(name)
    {
        _kind = kind;
        _scale = 1.0 / Math.Sqrt(hiddenSize);
        switch (kind)
        {
            case AttentionKind.Dot:
                // Keys from a bidirectional encoder are twice as wide as the query.
                if (keySize != hiddenSize)
                    key_projection = new DenseLayer(keySize, hiddenSize, random, hasBias: false);
                break;
            case AttentionKind.Additive:
                key_projection = new DenseLayer(keySize, hiddenSize, random, hasBias: false);
                query_projection = new DenseLayer(hiddenSize, hiddenSize, random);
                score = new DenseLayer(hiddenSize, 1, random, hasBias: false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "No attention module for this kind.");
        }
        RegisterComponents();
    }

    /// <summary>Projects the encoder outputs once per sequence.</summary>
    public Tensor PrepareKeys(Tensor encoderOutputs) => key_projection is null ? encoderOutputs : key_projection.call(encoderOutputs);

    /// <summary>The context vector (N × keySize) for one decoder step; <paramref name="padding"/> (N × L, true =
    /// padded position) keeps the weights of padded steps at exactly zero.</summary>
    public Tensor Context(Tensor query, Tensor keys, Tensor encoderOutputs, Tensor? padding = null)
    {
        Tensor scores = _kind == AttentionKind.Dot
            ? Times(torch.bmm(keys, query.unsqueeze(2)).squeeze(2), _scale)
            : score!.call(torch.tanh(Plus(keys, query_projection!.call(query).unsqueeze(1)))).squeeze(2);
        if (padding is not null)
            scores = MaskedFill(scores, padding, double.NegativeInfinity);
        Tensor weights = torch.softmax(scores, dim: 1);
        return torch.bmm(weights.unsqueeze(1), encoderOutputs).squeeze(1);
    }
}
