using System;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks.LinearMap;

/// <summary><see cref="LinearNetwork"/> as an ONNX graph: its last lookback steps of the window, flattened, one Gemm-like MatMul + Add, reshape.</summary>
internal static class LinearNetworkOnnx
{
    /// <summary>(rows, Horizon, O) from <paramref name="features"/> (rows, L, Fᵢ).</summary>
    public static string Export(OnnxOps ops, OnnxWeights weights, string prefix, NetworkArchitecture architecture, string features, int inputLength)
    {
        int lookback = architecture.Lookback;
        if (inputLength < lookback)
            throw new NotSupportedException($"ONNX export: the {NetworkFamily.Linear} network reads the last {lookback} steps of a window, but the feature column holds {inputLength}.");
        var (inputs, outputs) = architecture.FamilyFeatureCounts;
        string recent = inputLength == lookback ? features : ops.Slice(features, 1, inputLength - lookback, inputLength);
        string flat = ops.Reshape(recent, -1, (long)lookback * inputs);
        return ops.Reshape(ops.Linear(flat, weights, prefix + "head"), -1, architecture.Horizon, outputs);
    }
}
