using System;
using MLNetSeq2Seq.Networks.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Networks.PatchTransformer;

/// <summary>
/// One pre-norm Transformer encoder layer over the patch tokens (rows, N, d):
/// x + Dropout(Attention(LayerNorm(x))), then x + Dropout(W₂·Dropout(GELU(W₁·LayerNorm(x)))). Attention has
/// <c>heads</c> heads of d/heads values each, scaled dot products, softmax over the N tokens, no mask (every patch sees
/// every patch of its own row).
/// </summary>
internal sealed class PatchEncoderLayer : nn.Module<Tensor, Tensor>
{
    // Named like their state-dict keys.
    private readonly LayerNorm attention_norm;
    private readonly DenseLayer query;
    private readonly DenseLayer key;
    private readonly DenseLayer value;
    private readonly DenseLayer output;
    private readonly LayerNorm feed_forward_norm;
    private readonly DenseLayer feed_forward_in;
    private readonly DenseLayer feed_forward_out;
    private readonly MaskDropout dropout;
    private readonly int _heads;
    private readonly double _scale;

    public PatchEncoderLayer(int modelSize, int heads, int feedForwardSize, double dropoutProbability, ModuleRandom random) : base(nameof(PatchEncoderLayer))
    {
        _heads = heads;
        _scale = 1 / Math.Sqrt(modelSize / heads);
        attention_norm = nn.LayerNorm(modelSize);
        query = new DenseLayer(modelSize, modelSize, random);
        key = new DenseLayer(modelSize, modelSize, random);
        value = new DenseLayer(modelSize, modelSize, random);
        output = new DenseLayer(modelSize, modelSize, random);
        feed_forward_norm = nn.LayerNorm(modelSize);
        feed_forward_in = new DenseLayer(modelSize, feedForwardSize, random);
        feed_forward_out = new DenseLayer(feedForwardSize, modelSize, random);
        dropout = new MaskDropout(dropoutProbability, random);
        RegisterComponents();
    }

    public override Tensor forward(Tensor tokens)
    {
        Tensor attended = Plus(tokens, dropout.call(output.call(Attend(attention_norm.call(tokens)))));
        Tensor hidden = dropout.call(nn.functional.gelu(feed_forward_in.call(feed_forward_norm.call(attended))));
        return Plus(attended, dropout.call(feed_forward_out.call(hidden)));
    }

    // (rows, N, d) → (rows, N, d): each head's softmax(q·kᵀ/√(d/h))·v, heads concatenated.
    private Tensor Attend(Tensor tokens)
    {
        long rows = tokens.shape[0], count = tokens.shape[1], size = tokens.shape[2];
        Tensor Heads(DenseLayer projection) => projection.call(tokens).view(rows, count, _heads, size / _heads).transpose(1, 2);
        Tensor q = Heads(query), k = Heads(key), v = Heads(value);
        Tensor weights = Times(q.matmul(k.transpose(2, 3)), _scale).softmax(3);
        return weights.matmul(v).transpose(1, 2).reshape(rows, count, size);
    }
}
