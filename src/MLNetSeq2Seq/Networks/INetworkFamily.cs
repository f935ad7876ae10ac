using System.IO;
using System.Text.Json.Nodes;
using MLNetSeq2Seq.Networks.Layers;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// One network family as a plug-in: everything the rest of the library needs to know about it. Each family lives in its
/// own folder under Networks/ (module, ONNX writer, this descriptor) and is registered once in
/// <see cref="NetworkFamilies"/>; the loop, the scorer, the model file and the exporters ask the descriptor and never
/// branch on the family themselves.
/// </summary>
internal interface INetworkFamily
{
    /// <summary>The public value that selects this family (<see cref="Seq2SeqOptions.Family"/>, the model file, JSON).</summary>
    NetworkFamily Id { get; }

    /// <summary>The class of python/mlnetseq2seq_reference.py that builds the same network.</summary>
    string PythonClassName { get; }

    /// <summary>Whether the family takes right-padded rows of different input lengths in one batch (with their lengths);
    /// false: every input window must be full length.</summary>
    bool TakesVariableLengths { get; }

    /// <summary>Whether the family reads known-future features (<see cref="Seq2SeqOptions.FutureFeatureColumnName"/>);
    /// false: <see cref="Seq2SeqOptions.Validate"/> refuses them for this family.</summary>
    bool TakesFutureFeatures { get; }

    /// <summary>Throws <see cref="System.ArgumentException"/> naming the option when <paramref name="options"/> asks for
    /// something this family cannot do. Called by <see cref="Seq2SeqOptions.Validate"/>.</summary>
    void CheckOptions(Seq2SeqOptions options);

    /// <summary>The architecture with this family's own fields taken from <paramref name="options"/> (and the fields it
    /// does not use at their neutral values).</summary>
    NetworkArchitecture WithFamilyFields(NetworkArchitecture architecture, Seq2SeqOptions options);

    /// <summary>Why an architecture read from a file cannot be this family's (a field it does not use is not neutral), or
    /// null when it can.</summary>
    string? WhyInvalid(NetworkArchitecture architecture);

    /// <summary>A lower bound of the float32 weights' size in bytes, from the family's largest matrices; checked against
    /// a saved model's weights before the network is built.</summary>
    double MinimumWeightBytes(NetworkArchitecture architecture);

    /// <summary>The family's module for <paramref name="architecture"/> (without the wrappers), its weights drawn from
    /// <paramref name="random"/> (in the order its modules are built) and its dropout masks from the same object.</summary>
    SequenceNetwork Build(NetworkArchitecture architecture, ModuleRandom random);

    /// <summary>Adds the family's nodes: (rows, Horizon, Oᵢ) from <paramref name="features"/> (rows, L, Fᵢ).
    /// <paramref name="prefix"/>: the family's state-dict prefix inside the wrappers; <paramref name="channels"/>: inside
    /// channel independence, rows come in groups of that many channels, else 1.</summary>
    string ExportOnnx(OnnxOps ops, OnnxWeights weights, string prefix, NetworkArchitecture architecture, string features, int inputLength, int channels);

    /// <summary>The family's own fields, for the architecture's description.</summary>
    string DescribeFields(NetworkArchitecture architecture);

    /// <summary>Reads the family's own fields (<see cref="NetworkArchitecture.FamilyFields"/>) from their block, as the
    /// family's <see cref="IFamilyArchitectureFields.Write"/> wrote them; <see cref="InvalidDataException"/> for values
    /// out of range. A family without own fields reads nothing and returns null.</summary>
    IFamilyArchitectureFields? ReadFields(BinaryReader reader) => null;

    /// <summary>Reads the family's own fields from the "family_fields" JSON object (null when the record has none);
    /// <see cref="InvalidDataException"/> naming the field that is wrong. A family without own fields refuses any.</summary>
    IFamilyArchitectureFields? ReadFields(JsonObject? json) =>
        json is null ? null : throw new InvalidDataException($"architecture field 'family_fields' is given, but the {Id} family has no fields of its own");
}
