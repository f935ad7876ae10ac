using MLNetSeq2Seq.Networks.Layers;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks.Autoregressive;

/// <summary>The autoregressive encoder-decoder (<see cref="NetworkFamily.AutoregressiveEncoderDecoder"/>): its fields are
/// bidirectional encoding, decoder attention and residual decoding; it packs variable-length rows.</summary>
internal sealed class AutoregressiveFamily : INetworkFamily
{
    public NetworkFamily Id => NetworkFamily.AutoregressiveEncoderDecoder;

    public string PythonClassName => "AutoregressiveNetwork";

    public bool TakesFutureFeatures => true;

    public bool TakesVariableLengths => true;

    public void CheckOptions(Seq2SeqOptions options) => SettingsOf(options).Validate();

    public NetworkArchitecture WithFamilyFields(NetworkArchitecture architecture, Seq2SeqOptions options)
    {
        AutoregressiveOptions settings = SettingsOf(options);
        return architecture with
        {
            Bidirectional = settings.Bidirectional,
            Attention = settings.Attention,
            ResidualDecoding = settings.ResidualDecoding,
            SegmentLength = 1,
            Lookback = 0,
        };
    }

    public string? WhyInvalid(NetworkArchitecture architecture) =>
        architecture.SegmentLength != 1 ? $"architecture field 'segment_length' is {architecture.SegmentLength}, but the {Id} family has no segments (1)"
        : architecture.Lookback != 0 ? $"architecture field 'lookback' is {architecture.Lookback}, but the {Id} family reads any number of steps (0)"
        : null;

    public double MinimumWeightBytes(NetworkArchitecture architecture)
    {
        double gates = architecture.Cell == RecurrentCellType.Lstm ? 4 : 3, h = architecture.HiddenSize;
        var (inputs, outputs) = architecture.FamilyFeatureCounts;
        double recurrent = gates * h * (inputs + h) + gates * h * (outputs + h) + 2 * (architecture.LayerCount - 1) * gates * h * h;
        return 4 * (recurrent + h * outputs + (double)inputs * outputs);
    }

    public SequenceNetwork Build(NetworkArchitecture architecture, ModuleRandom random) => new AutoregressiveNetwork(architecture, random);

    public string ExportOnnx(OnnxOps ops, OnnxWeights weights, string prefix, NetworkArchitecture architecture, string features, int inputLength, int channels) =>
        AutoregressiveNetworkOnnx.Export(ops, weights, prefix, architecture, features, inputLength);

    public string DescribeFields(NetworkArchitecture architecture) =>
        $" bidirectional={architecture.Bidirectional} attention={architecture.Attention} residual={architecture.ResidualDecoding}";

    private static AutoregressiveOptions SettingsOf(Seq2SeqOptions options) => options.FamilyOptions as AutoregressiveOptions ?? new AutoregressiveOptions();
}
