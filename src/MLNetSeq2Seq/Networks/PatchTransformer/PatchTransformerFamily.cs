using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetSeq2Seq.Networks.Layers;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks.PatchTransformer;

/// <summary>The patch Transformer family (<see cref="NetworkFamily.PatchTransformer"/>): its own fields are
/// <see cref="PatchTransformerFields"/>; d_model and the layer count are the shared HiddenSize and LayerCount; its head
/// is shaped by the lookback, so every window must have at least that many steps; no known-future inputs.</summary>
internal sealed class PatchTransformerFamily : INetworkFamily
{
    private static readonly string[] s_jsonFields = { "patch_length", "patch_stride", "head_count", "feed_forward_size" };

    public NetworkFamily Id => NetworkFamily.PatchTransformer;

    public string PythonClassName => "PatchTransformerNetwork";

    public bool TakesVariableLengths => false;

    public bool TakesFutureFeatures => false;

    public void CheckOptions(Seq2SeqOptions options) => SettingsOf(options).Validate();

    public NetworkArchitecture WithFamilyFields(NetworkArchitecture architecture, Seq2SeqOptions options)
    {
        PatchTransformerOptions settings = SettingsOf(options);
        return architecture with
        {
            HiddenSize = settings.ModelSize,
            LayerCount = settings.LayerCount,
            Dropout = settings.Dropout ?? architecture.Dropout,
            Cell = RecurrentCellType.Gru,
            Bidirectional = false,
            Attention = AttentionKind.None,
            ResidualDecoding = false,
            SegmentLength = 1,
            FamilyFields = new PatchTransformerFields(settings.PatchLength, settings.PatchStride, settings.HeadCount, settings.FeedForwardSize),
        };
    }

    public string? WhyInvalid(NetworkArchitecture architecture)
    {
        if (architecture.FamilyFields is not PatchTransformerFields fields)
            return $"the {Id} family needs its own fields (patch length, stride, heads, feed-forward size), but the architecture has {(architecture.FamilyFields is null ? "none" : "another family's")}";
        if (architecture.Lookback < fields.PatchLength)
            return $"architecture field 'lookback' is {architecture.Lookback}, shorter than the {Id} family's patch length {fields.PatchLength}";
        if (architecture.HiddenSize % fields.HeadCount != 0)
            return $"the {Id} family's {fields.HeadCount} heads do not divide its model size {architecture.HiddenSize}";
        if (architecture.FutureFeatureCount > 0)
            return $"the {Id} family takes no known-future inputs, but the architecture has {architecture.FutureFeatureCount}";
        return null;
    }

    public double MinimumWeightBytes(NetworkArchitecture architecture)
    {
        var fields = (PatchTransformerFields)architecture.FamilyFields!;
        var (inputs, outputs) = architecture.FamilyFeatureCounts;
        double d = architecture.HiddenSize, patches = fields.PatchCount(architecture.Lookback);
        return 4 * (architecture.LayerCount * (4 * d * d + 2 * d * fields.FeedForwardSize)
            + patches * d * architecture.Horizon * outputs + (double)fields.PatchLength * inputs * d);
    }

    public SequenceNetwork Build(NetworkArchitecture architecture, ModuleRandom random) => new PatchTransformerNetwork(architecture, random);

    public string ExportOnnx(OnnxOps ops, OnnxWeights weights, string prefix, NetworkArchitecture architecture, string features, int inputLength, int channels) =>
        PatchTransformerOnnx.Export(ops, weights, prefix, architecture, features, inputLength);

    public string DescribeFields(NetworkArchitecture architecture) => "";

    public IFamilyArchitectureFields? ReadFields(BinaryReader reader) =>
        new PatchTransformerFields(Count(reader.ReadInt32(), "patch length"), Count(reader.ReadInt32(), "patch stride"),
            Count(reader.ReadInt32(), "head count"), Count(reader.ReadInt32(), "feed-forward size"));

    public IFamilyArchitectureFields? ReadFields(JsonObject? json)
    {
        if (json is null)
            throw new InvalidDataException($"architecture field 'family_fields' is missing: the {Id} family needs {string.Join(", ", s_jsonFields)}");
        foreach (var (name, _) in json)
            if (!s_jsonFields.Contains(name))
                throw new InvalidDataException($"architecture field 'family_fields.{name}' is not known to the {Id} family (known: {string.Join(", ", s_jsonFields)})");
        int Field(string name)
        {
            JsonNode node = json[name] ?? throw new InvalidDataException($"architecture field 'family_fields.{name}' is missing or null");
            if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue(out int value))
                throw new InvalidDataException($"architecture field 'family_fields.{name}' must be an integer, not {node.ToJsonString()}");
            return Count(value, $"family_fields.{name}");
        }
        return new PatchTransformerFields(Field("patch_length"), Field("patch_stride"), Field("head_count"), Field("feed_forward_size"));
    }

    private static PatchTransformerOptions SettingsOf(Seq2SeqOptions options) => options.FamilyOptions as PatchTransformerOptions ?? new PatchTransformerOptions();

    private static int Count(int value, string what) =>
        value >= 1 && value <= 1 << 20 ? value : throw new InvalidDataException($"the {NetworkFamily.PatchTransformer} family's {what} {value} is outside [1, {1 << 20}]");
}
