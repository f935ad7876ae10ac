using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetSeq2Seq.Networks;

namespace MLNetSeq2Seq.PyTorch;

/// <summary>
/// The architecture record as the JSON object the reference PyTorch module reads (python/mlnetseq2seq_reference.py,
/// ARCHITECTURE_FIELDS): snake_case field names, enums as the C# enum names. Reading is strict: every field must be
/// present with the right type and no unknown field may appear, so a file from a newer or different module fails with
/// the field's name instead of building some other network. Two fields may be absent: 'lookback', added after the
/// first files were written (absent: 0, a family that reads any number of steps), and 'family_fields', the family's own
/// fields as an object the family reads (<see cref="INetworkFamily.ReadFields(JsonObject)"/>), written only for a
/// family that has them.
/// </summary>
internal static class ArchitectureJson
{
    // The fields in the order they are written; the same list as ARCHITECTURE_FIELDS in the reference module.
    public static readonly string[] FieldNames =
    {
        "input_feature_count", "output_feature_count", "horizon", "hidden_size", "layer_count", "cell", "bidirectional",
        "attention", "dropout", "residual_decoding", "family", "segment_length", "normalization", "normalization_affine",
        "channel_independent", "target_input_indices", "lookback", "family_fields",
    };

    // Fields that may be absent: added later (lookback), or written only for the families that have them.
    private static readonly string[] s_optionalFields = { "lookback", "family_fields" };

    public static string Write(NetworkArchitecture a)
    {
        var json = new JsonObject
        {
            ["input_feature_count"] = a.InputFeatureCount,
            ["output_feature_count"] = a.OutputFeatureCount,
            ["horizon"] = a.Horizon,
            ["hidden_size"] = a.HiddenSize,
            ["layer_count"] = a.LayerCount,
            ["cell"] = a.Cell.ToString(),
            ["bidirectional"] = a.Bidirectional,
            ["attention"] = a.Attention.ToString(),
            ["dropout"] = a.Dropout,
            ["residual_decoding"] = a.ResidualDecoding,
            ["family"] = a.Family.ToString(),
            ["segment_length"] = a.SegmentLength,
            ["normalization"] = a.Normalization.ToString(),
            ["normalization_affine"] = a.NormalizationAffine,
            ["channel_independent"] = a.ChannelIndependent,
            ["target_input_indices"] = new JsonArray(a.Targets.Select(i => (JsonNode)i).ToArray()),
            ["lookback"] = a.Lookback,
        };
        if (a.FamilyFields is not null)
            json["family_fields"] = a.FamilyFields.ToJson();
        return json.ToJsonString();
    }

    /// <summary>Parses and checks the record; <see cref="InvalidDataException"/> names the first field that is wrong.</summary>
    public static NetworkArchitecture Read(string text)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException("the architecture is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the architecture is not valid JSON: {ex.Message}", ex);
        }
        try
        {
            return Read(json);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            // JsonObject finds a field named twice only when it is first used (ArgumentException); the accessors below
            // check each value's kind first, so any other such exception is a damaged record too.
            throw new InvalidDataException($"the architecture is malformed: {ex.Message}", ex);
        }
    }

    private static NetworkArchitecture Read(JsonObject json)
    {
        foreach (var (name, _) in json)
            if (!FieldNames.Contains(name))
                throw new InvalidDataException($"architecture field '{name}' is not known to this MLNetSeq2Seq (known: {string.Join(", ", FieldNames)})");
        foreach (string name in FieldNames.Except(s_optionalFields))
            if (!json.ContainsKey(name))
                throw new InvalidDataException($"architecture field '{name}' is missing");

        int inputs = Count(json, "input_feature_count"), outputs = Count(json, "output_feature_count");
        int[] targets = Targets(json, inputs);
        var architecture = new NetworkArchitecture(
            InputFeatureCount: inputs,
            OutputFeatureCount: outputs,
            Horizon: Count(json, "horizon"),
            HiddenSize: Count(json, "hidden_size"),
            LayerCount: Count(json, "layer_count"),
            Cell: Enum<RecurrentCellType>(json, "cell"),
            Bidirectional: Bool(json, "bidirectional"),
            Attention: Enum<AttentionKind>(json, "attention"),
            Dropout: Number(json, "dropout"),
            ResidualDecoding: Bool(json, "residual_decoding"),
            Family: Enum<NetworkFamily>(json, "family"),
            SegmentLength: Count(json, "segment_length"),
            Normalization: Enum<InstanceNormalization>(json, "normalization"),
            NormalizationAffine: Bool(json, "normalization_affine"),
            ChannelIndependent: Bool(json, "channel_independent"),
            TargetInputIndices: targets,
            Lookback: json.ContainsKey("lookback") ? Lookback(json) : 0);
        JsonObject? familyFields = json["family_fields"] is JsonNode fieldsNode // absent or null: none
            ? fieldsNode as JsonObject ?? throw new InvalidDataException($"architecture field 'family_fields' must be an object, not {fieldsNode.ToJsonString()}")
            : null;
        architecture = architecture with { FamilyFields = NetworkFamilies.Read(architecture.Family).ReadFields(familyFields) };
        if (!(architecture.Dropout >= 0 && architecture.Dropout < 1))
            throw new InvalidDataException($"architecture field 'dropout' is {architecture.Dropout}, outside [0, 1)");
        if (targets.Length != 0 && targets.Length != outputs)
            throw new InvalidDataException($"architecture field 'target_input_indices' holds {targets.Length} entries, but 'output_feature_count' is {outputs}");
        if (targets.Length == 0 && (architecture.ChannelIndependent || architecture.Normalization != InstanceNormalization.None))
            throw new InvalidDataException("architecture field 'target_input_indices' is empty, but instance normalisation and channel independence need the input column of every output");
        if (architecture.NormalizationAffine && architecture.Normalization != InstanceNormalization.Standardize)
            throw new InvalidDataException($"architecture field 'normalization_affine' is true, but 'normalization' is {architecture.Normalization} (the affine map belongs to Standardize)");
        if (NetworkFamilies.Read(architecture.Family).WhyInvalid(architecture) is string invalid)
            throw new InvalidDataException(invalid);
        return architecture;
    }

    private static JsonNode Field(JsonObject json, string name) =>
        json[name] ?? throw new InvalidDataException($"architecture field '{name}' is null");

    private static int Count(JsonObject json, string name)
    {
        JsonNode node = Field(json, name);
        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue(out int value) || value < 1 || value > 1 << 20)
            throw new InvalidDataException($"architecture field '{name}' must be an integer in [1, {1 << 20}], not {node.ToJsonString()}");
        return value;
    }

    private static int Lookback(JsonObject json)
    {
        JsonNode node = Field(json, "lookback");
        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue(out int value) || value < 0 || value > 1 << 20)
            throw new InvalidDataException($"architecture field 'lookback' must be an integer in [0, {1 << 20}], not {node.ToJsonString()}");
        return value;
    }

    private static double Number(JsonObject json, string name)
    {
        JsonNode node = Field(json, name);
        if (node.GetValueKind() != JsonValueKind.Number)
            throw new InvalidDataException($"architecture field '{name}' must be a number, not {node.ToJsonString()}");
        return node.GetValue<double>();
    }

    private static bool Bool(JsonObject json, string name)
    {
        JsonNode node = Field(json, name);
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidDataException($"architecture field '{name}' must be true or false, not {node.ToJsonString()}"),
        };
    }

    private static TEnum Enum<TEnum>(JsonObject json, string name) where TEnum : struct, Enum
    {
        JsonNode node = Field(json, name);
        string? text = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
        if (text is null || !System.Enum.GetNames<TEnum>().Contains(text))
            throw new InvalidDataException($"architecture field '{name}' is {node.ToJsonString()}, not one of {string.Join(", ", System.Enum.GetNames<TEnum>())}");
        return System.Enum.Parse<TEnum>(text);
    }

    private static int[] Targets(JsonObject json, int inputs)
    {
        if (Field(json, "target_input_indices") is not JsonArray array)
            throw new InvalidDataException("architecture field 'target_input_indices' must be an array of input column indices");
        var targets = new List<int>();
        foreach (JsonNode? item in array)
        {
            if (item is null || item.GetValueKind() != JsonValueKind.Number || !item.AsValue().TryGetValue(out int index) || index < 0 || index >= inputs)
                throw new InvalidDataException($"architecture field 'target_input_indices' holds {item?.ToJsonString() ?? "null"}, not an input column index in [0, {inputs})");
            targets.Add(index);
        }
        return targets.ToArray();
    }
}
