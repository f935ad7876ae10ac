using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Networks.PatchTransformer;
using MLNetSeq2Seq.PyTorch;
using MLNetSeq2Seq.Tests.PyTorch;
using Xunit;

namespace MLNetSeq2Seq.Tests.Networks;

/// <summary>The patch Transformer family as a plug-in: its settings, its own architecture fields in the binary and JSON
/// records, and a Fit that learns, saves and reloads through the same loop, model file and scorer as every family.
/// ONNX, PyTorch and checkpoint parity run with the other families (OnnxExportTests, PyTorchExportTests,
/// PyTorchImportTests, CheckpointTests).</summary>
public sealed class PatchTransformerFamilyTests
{
    private static PatchTransformerOptions Small() => new() { PatchLength = 4, PatchStride = 3, ModelSize = 8, HeadCount = 2, LayerCount = 2, FeedForwardSize = 16 };

    private static Seq2SeqOptions Options(int maxEpochs = 20)
    {
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs);
        options.Family = NetworkFamily.PatchTransformer;
        options.FamilyOptions = Small();
        options.InstanceNormalization = InstanceNormalization.SubtractLast;
        options.ChannelIndependent = true;
        return options;
    }

    private sealed class OtherFamilySettings : INetworkFamilyOptions
    {
        public NetworkFamily Family => NetworkFamily.SegmentRecurrent;
    }

    [Fact]
    public void Settings_of_another_family_heads_that_do_not_divide_the_model_and_future_inputs_are_refused_by_name()
    {
        var mismatched = new Seq2SeqOptions { Family = NetworkFamily.PatchTransformer, FamilyOptions = new OtherFamilySettings() };
        var error = Assert.Throws<ArgumentException>(mismatched.Validate);
        Assert.Equal(nameof(Seq2SeqOptions.FamilyOptions), error.ParamName);
        Assert.Contains(nameof(NetworkFamily.SegmentRecurrent), error.Message);

        var heads = new Seq2SeqOptions { Family = NetworkFamily.PatchTransformer, FamilyOptions = new PatchTransformerOptions { ModelSize = 10, HeadCount = 4 } };
        Assert.Equal("FamilyOptions.HeadCount", Assert.Throws<ArgumentOutOfRangeException>(heads.Validate).ParamName);
        var dropout = new Seq2SeqOptions { Family = NetworkFamily.PatchTransformer, FamilyOptions = new PatchTransformerOptions { Dropout = 1 } };
        Assert.Equal("FamilyOptions.Dropout", Assert.Throws<ArgumentOutOfRangeException>(dropout.Validate).ParamName);

        var future = new Seq2SeqOptions { Family = NetworkFamily.PatchTransformer, FutureFeatureColumnName = "Future" };
        var futureError = Assert.Throws<ArgumentException>(future.Validate);
        Assert.Equal(nameof(Seq2SeqOptions.FutureFeatureColumnName), futureError.ParamName);
        Assert.Contains(nameof(NetworkFamily.SegmentRecurrent), futureError.Message); // names a family that takes them
    }

    [Fact]
    public void A_patch_longer_than_the_windows_is_refused_at_Fit_naming_the_setting()
    {
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions options = Options(maxEpochs: 1);
        ((PatchTransformerOptions)options.FamilyOptions!).PatchLength = SyntheticSequences.InputLength + 1;

        var error = Assert.ThrowsAny<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(32, seed: 1))));
        Assert.Contains("FamilyOptions.PatchLength", error.Message);
    }

    [Fact]
    public void A_fit_learns_the_delayed_copy_and_scores_the_same_after_an_MLNet_zip()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticSequences.Generate(256, seed: 3);
        var test = SyntheticSequences.Generate(32, seed: 4);
        IDataView testView = ml.Data.LoadFromEnumerable(test);

        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(Options()).Fit(ml.Data.LoadFromEnumerable(train));
        float[] scores = InterchangeKit.Scores(ml, model, testView);
        double mse = test.SelectMany(r => r.Label).Zip(scores, (y, p) => (double)(y - p) * (y - p)).Average();
        Assert.True(mse < 0.5 * SyntheticSequences.MeanPredictorMse(test), $"test MSE {mse:G3} against the mean predictor's {SyntheticSequences.MeanPredictorMse(test):G3}");

        using var saved = new MemoryStream();
        ml.Model.Save(model, testView.Schema, saved);
        saved.Position = 0;
        var loaded = (Seq2SeqTransformer)new MLContext().Model.Load(saved, out _);
        try
        {
            Assert.Equal(model.Network.Architecture, loaded.Network.Architecture);
            Assert.Equal(Small().PatchLength, ((PatchTransformerFields)loaded.Network.Architecture.FamilyFields!).PatchLength);
            Assert.Equal(scores, InterchangeKit.Scores(ml, loaded, testView));
        }
        finally
        {
            loaded.Dispose();
        }
    }

    private static NetworkArchitecture Architecture() =>
        NetworkArchitecture.From(new Seq2SeqOptions { Family = NetworkFamily.PatchTransformer, FamilyOptions = Small() }, 2, 2, 4, null, channelIndependent: false, inputLength: 12);

    private static byte[] Bytes(NetworkArchitecture architecture)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
            architecture.Write(writer);
        return stream.ToArray();
    }

    [Fact]
    public void The_family_fields_round_trip_in_binary_and_JSON_and_a_damaged_block_is_refused()
    {
        NetworkArchitecture architecture = Architecture();
        byte[] bytes = Bytes(architecture);
        Assert.Equal(architecture, NetworkArchitecture.Read(new BinaryReader(new MemoryStream(bytes))));
        Assert.Equal(architecture, ArchitectureJson.Read(ArchitectureJson.Write(architecture)));
        Assert.NotEqual(architecture, architecture with { FamilyFields = new PatchTransformerFields(4, 2, 2, 16) });

        // The block is the last 4 + 16 bytes: its length, then four ints.
        int lengthAt = bytes.Length - 20;
        Assert.Equal(16, BitConverter.ToInt32(bytes, lengthAt));
        byte[] huge = (byte[])bytes.Clone();
        BitConverter.GetBytes(int.MaxValue).CopyTo(huge, lengthAt);
        Assert.Contains("outside [0, 4096]", Assert.Throws<InvalidDataException>(() => NetworkArchitecture.Read(new BinaryReader(new MemoryStream(huge)))).Message);
        Assert.Contains("cut off", Assert.Throws<InvalidDataException>(() => NetworkArchitecture.Read(new BinaryReader(new MemoryStream(bytes[..^4])))).Message);
        byte[] zeroPatch = (byte[])bytes.Clone();
        BitConverter.GetBytes(0).CopyTo(zeroPatch, lengthAt + 4);
        Assert.Contains("patch length 0", Assert.Throws<InvalidDataException>(() => NetworkArchitecture.Read(new BinaryReader(new MemoryStream(zeroPatch)))).Message);

        // Another family's record with this family's block: the family reads nothing, and the bytes left over are named.
        byte[] linear = Bytes(architecture with { Family = NetworkFamily.Linear });
        Assert.Contains("16 bytes more", Assert.Throws<InvalidDataException>(() => NetworkArchitecture.Read(new BinaryReader(new MemoryStream(linear)))).Message);
        // And this family without its block.
        byte[] bare = Bytes(architecture with { FamilyFields = null });
        Assert.Contains("shorter than the family reads", Assert.Throws<InvalidDataException>(() => NetworkArchitecture.Read(new BinaryReader(new MemoryStream(bare)))).Message);
    }

    [Fact]
    public void A_JSON_record_without_the_fields_or_with_unknown_ones_is_refused_by_name()
    {
        string json = ArchitectureJson.Write(Architecture());
        var missing = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        missing.Remove("family_fields");
        Assert.Contains("'family_fields' is missing", Assert.Throws<InvalidDataException>(() => ArchitectureJson.Read(missing.ToJsonString())).Message);

        var unknown = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        unknown["family_fields"]!.AsObject()["kernel"] = 3;
        Assert.Contains("family_fields.kernel", Assert.Throws<InvalidDataException>(() => ArchitectureJson.Read(unknown.ToJsonString())).Message);

        var linear = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        linear["family"] = nameof(NetworkFamily.Linear);
        Assert.Contains("has no fields of its own", Assert.Throws<InvalidDataException>(() => ArchitectureJson.Read(linear.ToJsonString())).Message);
    }
}
