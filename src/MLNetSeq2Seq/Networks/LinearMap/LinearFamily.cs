using MLNetSeq2Seq.Networks.Layers;
using System;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks.LinearMap;

/// <summary>The linear family (<see cref="NetworkFamily.Linear"/>): one linear map over the whole look-back window. Its
/// weights are shaped by the window length, kept as the architecture's lookback; it uses none of the recurrent fields.</summary>
internal sealed class LinearFamily : INetworkFamily
{
    public NetworkFamily Id => NetworkFamily.Linear;

    public string PythonClassName => "LinearNetwork";

    public bool TakesVariableLengths => false;

    public bool TakesFutureFeatures => false;

    // No settings of its own: the other families' settings are refused by NetworkFamilies.Of.
    public void CheckOptions(Seq2SeqOptions options)
    {
    }

    // Keeps the lookback From took from the windows; the recurrent fields stay neutral.
    public NetworkArchitecture WithFamilyFields(NetworkArchitecture architecture, Seq2SeqOptions options) => architecture with
    {
        Bidirectional = false,
        Attention = AttentionKind.None,
        ResidualDecoding = false,
        SegmentLength = 1,
    };

    public string? WhyInvalid(NetworkArchitecture architecture) =>
        architecture.Lookback < 1 ? $"architecture field 'lookback' is {architecture.Lookback}, but the {Id} family's weights are shaped by the window length (at least 1)"
        : architecture.FutureFeatureCount > 0 ? $"the {Id} family takes no known-future inputs, but the architecture has {architecture.FutureFeatureCount}"
        : null;

    public double MinimumWeightBytes(NetworkArchitecture architecture)
    {
        var (inputs, outputs) = architecture.FamilyFeatureCounts;
        return 4.0 * architecture.Lookback * inputs * architecture.Horizon * outputs;
    }

    public SequenceNetwork Build(NetworkArchitecture architecture, ModuleRandom random) => new LinearNetwork(architecture, random);

    public string ExportOnnx(OnnxOps ops, OnnxWeights weights, string prefix, NetworkArchitecture architecture, string features, int inputLength, int channels) =>
        LinearNetworkOnnx.Export(ops, weights, prefix, architecture, features, inputLength);

    public string DescribeFields(NetworkArchitecture architecture) => "";
}
