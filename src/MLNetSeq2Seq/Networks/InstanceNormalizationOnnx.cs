using System;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// <see cref="InstanceNormalizedNetwork"/> as ONNX nodes for full-length windows: each window's own statistics (the
/// last step, or the mean and standard deviation over its steps), the optional affine map, the wrapped network, and
/// the way back with the statistics and affine parameters of the input column each output forecasts.
/// </summary>
internal static class InstanceNormalizationOnnx
{
    // As in InstanceNormalizedNetwork.
    private const double Epsilon = 1e-5;

    // prefix: The wrapper's state-dict prefix ("" at the top).
    // inner: Builds the wrapped network on normalised (N, L, F) windows.
    public static string Export(OnnxOps ops, OnnxWeights weights, string prefix, NetworkArchitecture architecture, string features, int inputLength, Func<string, string> inner)
    {
        string location, normalized;
        string? scale = null;
        if (architecture.Normalization == InstanceNormalization.SubtractLast)
        {
            location = ops.Slice(features, 1, inputLength - 1, inputLength); // (N, 1, F)
            normalized = ops.Sub(features, location);
        }
        else
        {
            location = ops.ReduceMean(features, 1);
            normalized = ops.Sub(features, location);
            string variance = ops.ReduceMean(ops.Mul(normalized, normalized), 1);
            scale = ops.Sqrt(ops.Add(variance, ops.Scalar("instance_norm_epsilon", (float)Epsilon)));
            normalized = ops.Div(normalized, scale);
        }
        long[] targets = Array.ConvertAll(architecture.Targets, i => (long)i);
        string? targetWeight = null, targetBias = null;
        if (architecture.NormalizationAffine)
        {
            normalized = ops.Add(ops.Mul(normalized, weights.Constant(prefix + "affine_weight", ops)), weights.Constant(prefix + "affine_bias", ops));
            var (weight, _) = weights.Get(prefix + "affine_weight");
            var (bias, _) = weights.Get(prefix + "affine_bias");
            // The way back divides by weight + ε², as the module does (in float32).
            targetWeight = ops.Floats("affine_weight_back", Array.ConvertAll(targets, i => weight[i] + (float)(Epsilon * Epsilon)), targets.Length);
            targetBias = ops.Floats("affine_bias_back", Array.ConvertAll(targets, i => bias[i]), targets.Length);
        }

        string prediction = inner(normalized); // (N, Horizon, O)
        if (targetWeight is not null)
            prediction = ops.Div(ops.Sub(prediction, targetBias!), targetWeight);
        if (scale is not null)
            prediction = ops.Mul(prediction, ops.Gather(scale, 2, targets));
        return ops.Add(prediction, ops.Gather(location, 2, targets));
    }
}
