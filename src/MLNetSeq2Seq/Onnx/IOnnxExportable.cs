namespace MLNetSeq2Seq.Onnx;

/// <summary>What a trained model offers an ONNX converter: the input width, why it cannot be exported (or null), and the export itself.</summary>
internal interface IOnnxExportable
{
    /// <summary>Values per input step (F).</summary>
    int InputFeatureCount { get; }

    /// <summary>Why windows of <paramref name="inputLength"/> steps (0: unknown) cannot be exported, or null.</summary>
    string? WhyNotOnnx(int inputLength);

    /// <summary>Writes the network on <paramref name="features"/> ((N, L·F) or (N, L, F) floats); returns the (N, Horizon, O) prediction.</summary>
    string ExportOnnx(OnnxOps ops, string features, int inputLength);
}
