using MLNetSeq2Seq.Networks.Layers;
using System;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks.SegmentRecurrent;

/// <summary>The segment-recurrent family (<see cref="NetworkFamily.SegmentRecurrent"/>): its field is the segment length;
/// it reads forwards, decodes in parallel and needs full-length windows. Its weights do not depend on the window length:
/// Fit builds it with lookback 0 (it reads every step of the window), and a lookback above 0 (a search candidate over the
/// last L′ steps of longer windows) makes it read the last that many steps.</summary>
internal sealed class SegmentRecurrentFamily : INetworkFamily
{
    public NetworkFamily Id => NetworkFamily.SegmentRecurrent;

    public string PythonClassName => "SegmentRecurrentNetwork";

    public bool TakesFutureFeatures => true;

    public bool TakesVariableLengths => false;

    public void CheckOptions(Seq2SeqOptions options) => SettingsOf(options).Validate();

    public NetworkArchitecture WithFamilyFields(NetworkArchitecture architecture, Seq2SeqOptions options) => architecture with
    {
        Bidirectional = false,
        Attention = AttentionKind.None,
        ResidualDecoding = false,
        SegmentLength = SettingsOf(options).SegmentLength,
        Lookback = 0,
    };

    // The recurrent fields it does not use are ignored, as they always were: interchange files may set them.
    public string? WhyInvalid(NetworkArchitecture architecture) => null;

    public double MinimumWeightBytes(NetworkArchitecture architecture)
    {
        double gates = architecture.Cell == RecurrentCellType.Lstm ? 4 : 3, h = architecture.HiddenSize;
        var (inputs, outputs) = architecture.FamilyFeatureCounts;
        int w = architecture.SegmentLength;
        return 4 * (gates * h * 2 * h * architecture.LayerCount + (double)w * inputs * h + h * w * outputs);
    }

    public SequenceNetwork Build(NetworkArchitecture architecture, ModuleRandom random) => new SegmentRecurrentNetwork(architecture, random);

    public string ExportOnnx(OnnxOps ops, OnnxWeights weights, string prefix, NetworkArchitecture architecture, string features, int inputLength, int channels) =>
        SegmentRecurrentNetworkOnnx.Export(ops, weights, prefix, architecture, features, inputLength, channels);

    public string DescribeFields(NetworkArchitecture architecture) => $" segment={architecture.SegmentLength}";

    private static SegmentRecurrentOptions SettingsOf(Seq2SeqOptions options) => options.FamilyOptions as SegmentRecurrentOptions ?? new SegmentRecurrentOptions();
}
