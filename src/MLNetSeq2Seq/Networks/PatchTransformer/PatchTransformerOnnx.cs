using System;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks.PatchTransformer;

/// <summary><see cref="PatchTransformerNetwork"/> as an ONNX graph (opset 10+): one Gather cuts and pads the patches,
/// LayerNorm and GELU are written out from ReduceMean/Sqrt and Erf, attention from MatMul and Softmax over the last axis.</summary>
internal static class PatchTransformerOnnx
{
    private const float LayerNormEpsilon = 1e-5f;

    /// <summary>(rows, Horizon, O) from <paramref name="features"/> (rows, L, Fᵢ).</summary>
    public static string Export(OnnxOps ops, OnnxWeights weights, string prefix, NetworkArchitecture architecture, string features, int inputLength)
    {
        var fields = (PatchTransformerFields)architecture.FamilyFields!;
        int lookback = architecture.Lookback;
        if (inputLength < lookback)
            throw new NotSupportedException($"ONNX export: the {NetworkFamily.PatchTransformer} network reads the last {lookback} steps of a window, but the feature column holds {inputLength}.");
        var (inputs, outputs) = architecture.FamilyFeatureCounts;
        int patches = fields.PatchCount(lookback), d = architecture.HiddenSize, heads = fields.HeadCount;
        string recent = inputLength == lookback ? features : ops.Slice(features, 1, inputLength - lookback, inputLength);
        string cut = ops.Gather(recent, 1, fields.StepIndices(lookback));
        string tokens = ops.Linear(ops.Reshape(cut, -1, patches, (long)fields.PatchLength * inputs), weights, prefix + "patch_embedding");
        tokens = ops.Add(tokens, weights.Constant(prefix + "position_embedding", ops));
        for (int layer = 0; layer < architecture.LayerCount; layer++)
        {
            string p = $"{prefix}layers.{layer}.";
            string attended = ops.Linear(Attention(ops, weights, p, LayerNorm(ops, weights, p + "attention_norm", tokens), patches, d, heads), weights, p + "output");
            tokens = ops.Add(tokens, attended);
            string hidden = Gelu(ops, ops.Linear(LayerNorm(ops, weights, p + "feed_forward_norm", tokens), weights, p + "feed_forward_in"));
            tokens = ops.Add(tokens, ops.Linear(hidden, weights, p + "feed_forward_out"));
        }
        string flat = ops.Reshape(LayerNorm(ops, weights, prefix + "final_norm", tokens), -1, (long)patches * d);
        return ops.Reshape(ops.Linear(flat, weights, prefix + "head"), -1, architecture.Horizon, outputs);
    }

    // (rows, N, d) → (rows, N, d): softmax(q·kᵀ/√(d/h))·v per head, heads concatenated.
    private static string Attention(OnnxOps ops, OnnxWeights weights, string prefix, string tokens, int patches, int d, int heads)
    {
        int size = d / heads;
        string Heads(string name, params long[] permutation) =>
            ops.Transpose(ops.Reshape(ops.Linear(tokens, weights, prefix + name), -1, patches, heads, size), permutation);
        string q = Heads("query", 0, 2, 1, 3), kT = Heads("key", 0, 2, 3, 1), v = Heads("value", 0, 2, 1, 3);
        string scores = ops.Mul(ops.MatMul(q, kT), ops.Scalar(prefix + "attention_scale", (float)(1 / Math.Sqrt(size))));
        string mixed = ops.MatMul(ops.Softmax(scores, 3), v);
        return ops.Reshape(ops.Transpose(mixed, 0, 2, 1, 3), -1, patches, d);
    }

    // LayerNorm over the last axis of (rows, N, d): (x − mean) / √(variance + ε) · weight + bias.
    private static string LayerNorm(OnnxOps ops, OnnxWeights weights, string prefix, string x)
    {
        string centred = ops.Sub(x, ops.ReduceMean(x, 2));
        string variance = ops.ReduceMean(ops.Mul(centred, centred), 2);
        string normalised = ops.Div(centred, ops.Sqrt(ops.Add(variance, ops.Scalar(prefix + ".epsilon", LayerNormEpsilon))));
        return ops.Add(ops.Mul(normalised, weights.Constant(prefix + ".weight", ops)), weights.Constant(prefix + ".bias", ops));
    }

    // The exact GELU: x · (1 + erf(x / √2)) / 2.
    private static string Gelu(OnnxOps ops, string x)
    {
        string erf = ops.Unary("Erf", ops.Mul(x, ops.Scalar("gelu_inverse_sqrt2", (float)(1 / Math.Sqrt(2)))));
        return ops.Mul(ops.Mul(x, ops.Add(erf, ops.Scalar("gelu_one", 1f))), ops.Scalar("gelu_half", 0.5f));
    }
}
