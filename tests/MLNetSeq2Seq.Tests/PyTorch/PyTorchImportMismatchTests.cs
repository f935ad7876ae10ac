using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.PyTorch;
using Xunit;

namespace MLNetSeq2Seq.Tests.PyTorch;

/// <summary>
/// Import is strict: a file whose keys, shapes or architecture do not fit is refused with a message naming the first
/// mismatch. The files are exports of an untrained network, edited; no python needed.
/// </summary>
public sealed class PyTorchImportMismatchTests
{
    private static readonly NetworkArchitecture s_architecture = new(2, 2, 4, HiddenSize: 8, LayerCount: 1, RecurrentCellType.Gru,
        Bidirectional: false, AttentionKind.Dot, Dropout: 0, Normalization: InstanceNormalization.SubtractLast, TargetInputIndices: new[] { 0, 1 });

    private static SafeTensorsFile Exported()
    {
        using Seq2SeqTransformer model = InterchangeKit.Untrained(s_architecture);
        using var stream = new MemoryStream();
        new MLContext().Model.ExportSeq2SeqToPyTorch(model, stream);
        stream.Position = 0;
        return SafeTensorsFile.Read(stream);
    }

    private static FormatException ImportFails(SafeTensorsFile file, PyTorchImportOptions? options = null)
    {
        using var stream = new MemoryStream();
        file.Write(stream);
        stream.Position = 0;
        return Assert.Throws<FormatException>(() => new MLContext().Model.ImportSeq2SeqFromPyTorch(stream, options));
    }

    private static SafeTensorsFile WithTensors(SafeTensorsFile file, Func<Dictionary<string, SafeTensor>, Dictionary<string, SafeTensor>> edit) =>
        new(file.Metadata, edit(file.Tensors.ToDictionary(p => p.Key, p => p.Value)));

    private static SafeTensorsFile WithArchitecture(SafeTensorsFile file, Action<JsonObject> edit)
    {
        var metadata = file.Metadata.ToDictionary(p => p.Key, p => p.Value);
        var json = (JsonObject)JsonNode.Parse(metadata["architecture"])!;
        edit(json);
        metadata["architecture"] = json.ToJsonString();
        return new SafeTensorsFile(metadata, file.Tensors);
    }

    [Fact]
    public void An_unedited_export_imports_and_scores_exactly_like_the_original()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticSequences.Generate(6, seed: 2);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        using Seq2SeqTransformer original = InterchangeKit.Untrained(s_architecture with { Attention = AttentionKind.Additive, Cell = RecurrentCellType.Lstm });
        using var folder = new TemporaryFolder();

        ml.Model.ExportSeq2SeqToPyTorch(original, folder.File("model.safetensors"));
        using Seq2SeqTransformer imported = ml.Model.ImportSeq2SeqFromPyTorch(folder.File("model.safetensors"));

        Assert.Equal(original.Network.Architecture, imported.Network.Architecture);
        Assert.Equal(InterchangeKit.Scores(ml, original, data), InterchangeKit.Scores(ml, imported, data));
        Assert.Equal("Features", imported.FeatureColumnName);
    }

    [Fact]
    public void A_renamed_key_is_named_with_the_key_the_network_needs()
    {
        SafeTensorsFile file = WithTensors(Exported(), tensors =>
        {
            tensors["inner.head.weights"] = tensors["inner.head.weight"];
            tensors.Remove("inner.head.weight");
            return tensors;
        });

        FormatException error = ImportFails(file);

        Assert.Contains("no tensor 'inner.head.weight'", error.Message);
        Assert.Contains("'inner.head.weights'", error.Message);
    }

    [Fact]
    public void An_extra_key_is_named()
    {
        SafeTensorsFile file = WithTensors(Exported(), tensors =>
        {
            tensors["inner.spare.bias"] = new SafeTensor(new long[] { 2 }, new float[2]);
            return tensors;
        });

        Assert.Contains("holds tensor 'inner.spare.bias', which the network does not have", ImportFails(file).Message);
    }

    [Fact]
    public void A_wrong_shape_is_named_with_both_shapes()
    {
        SafeTensorsFile file = WithTensors(Exported(), tensors =>
        {
            tensors["inner.start.weight"] = new SafeTensor(new long[] { 2, 3 }, new float[6]);
            return tensors;
        });

        FormatException error = ImportFails(file);

        Assert.Contains("tensor 'inner.start.weight' is [2, 3] in the file, but the network needs [2, 2]", error.Message);
    }

    [Fact]
    public void A_non_finite_weight_is_named()
    {
        SafeTensorsFile file = WithTensors(Exported(), tensors =>
        {
            float[] values = (float[])tensors["inner.head.bias"].Values.Clone();
            values[1] = float.NaN;
            tensors["inner.head.bias"] = tensors["inner.head.bias"] with { Values = values };
            return tensors;
        });

        Assert.Contains("tensor 'inner.head.bias' holds NaN at flat index 1", ImportFails(file).Message);
    }

    public static TheoryData<string, string, string> ArchitectureEdits() => new()
    {
        // field, new JSON value, what the message must say
        { "hidden_size", "16", "tensor 'inner.encoder.rnn.weight_ih_l0' is [24, 2] in the file, but the network needs [48, 2]" },
        { "cell", "\"Rnn\"", "architecture field 'cell' is \"Rnn\", not one of Gru, Lstm" },
        { "horizon", "0", "architecture field 'horizon' must be an integer in [1, 1048576], not 0" },
        { "kernel_size", "3", "architecture field 'kernel_size' is not known" },
        { "normalization", "\"None\"", "no tensor" }, // the wrapper's keys ("inner.…") no longer fit the bare family
        { "target_input_indices", "[0, 5]", "architecture field 'target_input_indices' holds 5, not an input column index in [0, 2)" },
    };

    [Theory]
    [MemberData(nameof(ArchitectureEdits))]
    public void A_differing_architecture_field_is_named(string field, string value, string expected)
    {
        SafeTensorsFile file = WithArchitecture(Exported(), json => json[field] = JsonNode.Parse(value));

        Assert.Contains(expected, ImportFails(file).Message);
    }

    [Fact]
    public void A_missing_architecture_field_is_named()
    {
        SafeTensorsFile file = WithArchitecture(Exported(), json => json.Remove("attention"));

        Assert.Contains("architecture field 'attention' is missing", ImportFails(file).Message);
    }

    [Theory]
    [InlineData(nameof(PyTorchImportOptions.InputFeatureCount), "input_feature_count")]
    [InlineData(nameof(PyTorchImportOptions.OutputFeatureCount), "output_feature_count")]
    [InlineData(nameof(PyTorchImportOptions.Horizon), "horizon")]
    public void A_shape_the_caller_expects_differently_names_the_option_and_the_field(string option, string field)
    {
        var options = new PyTorchImportOptions();
        typeof(PyTorchImportOptions).GetProperty(option)!.SetValue(options, 3);

        FormatException error = ImportFails(Exported(), options);

        Assert.Contains($"architecture field '{field}' is", error.Message);
        Assert.Contains($"PyTorchImportOptions.{option} expects 3", error.Message);
    }

    [Fact]
    public void A_safetensors_file_of_another_kind_says_it_is_not_an_interchange_file()
    {
        var file = new SafeTensorsFile(new Dictionary<string, string> { ["format"] = "pt" }, Exported().Tensors);

        Assert.Contains("metadata 'format' is 'pt', not 'mlnetseq2seq'", ImportFails(file).Message);
    }

    [Fact]
    public void A_truncated_file_is_refused_before_anything_is_built()
    {
        using var stream = new MemoryStream();
        Exported().Write(stream);
        byte[] truncated = stream.ToArray()[..^10];

        var error = Assert.Throws<FormatException>(() => new MLContext().Model.ImportSeq2SeqFromPyTorch(new MemoryStream(truncated)));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Column_names_come_from_the_file_unless_the_options_set_them()
    {
        using Seq2SeqTransformer model = InterchangeKit.Untrained(s_architecture);
        using var stream = new MemoryStream();
        var ml = new MLContext();
        ml.Model.ExportSeq2SeqToPyTorch(model, stream);

        stream.Position = 0;
        using Seq2SeqTransformer renamed = ml.Model.ImportSeq2SeqFromPyTorch(stream, new PyTorchImportOptions { FeatureColumnName = "Window", ScoreColumnName = "Forecast" });

        Assert.Equal(("Window", "Forecast"), (renamed.FeatureColumnName, renamed.ScoreColumnName));
    }

    [Fact]
    public void Score_slot_names_travel_through_the_file_and_a_wrong_count_is_refused()
    {
        string[] names = Enumerable.Range(0, 4 * 2).Select(i => $"c{i % 2}@t+{i / 2 + 1}").ToArray();
        using Seq2SeqTransformer model = InterchangeKit.Untrained(s_architecture, scoreSlotNames: names);
        using var stream = new MemoryStream();
        var ml = new MLContext();
        ml.Model.ExportSeq2SeqToPyTorch(model, stream);
        stream.Position = 0;
        SafeTensorsFile file = SafeTensorsFile.Read(stream);

        stream.Position = 0;
        using (Seq2SeqTransformer imported = ml.Model.ImportSeq2SeqFromPyTorch(stream))
            Assert.Equal(names, imported.ScoreSlotNames);
        var metadata = file.Metadata.ToDictionary(p => p.Key, p => p.Value);
        metadata["score_slot_names"] = "[\"a\", \"b\"]";
        Assert.Contains("'score_slot_names' holds 2 names, but horizon × output_feature_count = 8", ImportFails(new SafeTensorsFile(metadata, file.Tensors)).Message);
    }
}
