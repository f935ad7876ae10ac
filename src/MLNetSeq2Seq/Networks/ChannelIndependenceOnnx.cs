using System;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks;

/// <summary><see cref="ChannelIndependentNetwork"/> as ONNX nodes: the target columns of (N, L, F) become N·O univariate
/// rows (row r is channel r mod O), the family runs on them, and its (N·O, Horizon, 1) predictions become (N, Horizon, O).</summary>
internal static class ChannelIndependenceOnnx
{
    // family: Builds the wrapped family on (N·O, L, 1) rows, given the channel count O.
    public static string Export(OnnxOps ops, NetworkArchitecture architecture, string features, int inputLength, Func<string, int, string> family)
    {
        int outputs = architecture.Targets.Length;
        long[] targets = Array.ConvertAll(architecture.Targets, i => (long)i);
        string columns = ops.Gather(features, 2, targets);                                   // (N, L, O)
        string univariate = ops.Reshape(ops.Transpose(columns, 0, 2, 1), -1, inputLength, 1); // (N·O, L, 1)
        string prediction = family(univariate, outputs);                                    // (N·O, Horizon, 1)
        return ops.Transpose(ops.Reshape(prediction, -1, outputs, architecture.Horizon), 0, 2, 1);
    }
}
