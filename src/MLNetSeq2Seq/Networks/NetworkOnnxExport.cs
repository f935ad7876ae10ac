using System;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// Writes a trained <see cref="SequenceNetwork"/> into an ONNX graph: the wrappers (instance normalisation, then
/// channel independence) around the family, in the order <see cref="NetworkFactory"/> composes them, with the weights
/// read from the modules at export time. The graph is for one input length, the one the feature column declares:
/// ONNX needs the unrolled shapes, and variable-length rows (packed sequences) have no ONNX counterpart here.
/// </summary>
internal static class NetworkOnnxExport
{
    /// <summary>Why a network with <paramref name="architecture"/> cannot be exported for windows of
    /// <paramref name="inputLength"/> steps (0: unknown length), or null when it can.</summary>
    public static string? WhyNot(NetworkArchitecture architecture, int inputLength)
    {
        if (inputLength <= 0)
            return "the feature column has no fixed length (a variable-size vector), and the ONNX graph is written for one input length. "
                + "Give the column a fixed size (for example Vector<Single, L, F>, or [VectorType(L * F)]) to export";
        if (architecture.FutureFeatureCount > 0)
            return "the model takes known-future features (Seq2SeqOptions.FutureFeatureColumnName), and the ONNX export writes networks of one input (the feature window) only; "
                + "score it with Transform or the forecast engine";
        if (architecture.Quantiles.Length > 0)
            return "the model forecasts quantiles (Seq2SeqOptions.Quantiles), and the ONNX export writes point forecasts only; "
                + "train without quantiles to export";
        return null;
    }

    /// <summary>
    /// Adds the network's nodes to <paramref name="ops"/>' graph. <paramref name="features"/>: a float tensor of
    /// (N, L·F) or (N, L, F) values, time-major; returns the predictions' variable, (N, Horizon, O).
    /// </summary>
    public static string Export(OnnxOps ops, SequenceNetwork network, string features, int inputLength)
    {
        NetworkArchitecture architecture = network.Architecture;
        string? reason = WhyNot(architecture, inputLength);
        if (reason is not null)
            throw new NotSupportedException($"This Seq2Seq model cannot be exported to ONNX: {reason}.");
        var weights = new OnnxWeights(network);
        string windows = ops.Reshape(features, -1, inputLength, architecture.InputFeatureCount);

        string familyPrefix = (architecture.Normalization != InstanceNormalization.None ? "inner." : "") + (architecture.ChannelIndependent ? "inner." : "");
        INetworkFamily family = architecture.FamilyDescriptor;
        string Family(string rows, int channels) => family.ExportOnnx(ops, weights, familyPrefix, architecture, rows, inputLength, channels);
        string ChannelsThenFamily(string normalized) => architecture.ChannelIndependent
            ? ChannelIndependenceOnnx.Export(ops, architecture, normalized, inputLength, Family)
            : Family(normalized, 1);
        return architecture.Normalization != InstanceNormalization.None
            ? InstanceNormalizationOnnx.Export(ops, weights, "", architecture, windows, inputLength, ChannelsThenFamily)
            : ChannelsThenFamily(windows);
    }
}
