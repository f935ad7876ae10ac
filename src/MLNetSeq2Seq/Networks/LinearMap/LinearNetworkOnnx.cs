using System;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks.LinearMap;

/// <summary><see cref="LinearNetwork"/> as an ONNX graph: flatten the window, one Gemm-like MatMul + Add, reshape.</summary>
internal static class LinearNetworkOnnx
{
    /// <summary>(rows, Horizon, O) from <paramref name="features"/> (rows, L, Fᵢ).</summary>
    public static string Export(OnnxOps ops, OnnxWeights weights, string prefix, NetworkArchitecture architecture, string features, int inputLength)
    {
        if (inputLength != architecture.Lookback)
            throw new NotSupportedException($"ONNX export: the {NetworkFamily.Linear} network reads windows of {architecture.Lookback} steps, but the feature column holds {inputLength}.");
        var (inputs, outputs) = architecture.FamilyFeatureCounts;
        string flat = ops.Reshape(features, -1, (long)inputLength * inputs);
        return ops.Reshape(ops.Linear(flat, weights, prefix + "head"), -1, architecture.Horizon, outputs);
    }
}
