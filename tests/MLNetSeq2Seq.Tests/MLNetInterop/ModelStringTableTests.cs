using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.Reliability;
using Xunit;

namespace MLNetSeq2Seq.Tests.MLNetInterop;

/// <summary>
/// The column names go through ML.NET's model string table (format 0x00010005), so an empty or damaged name fails
/// at load with a message that names it, and a loaded model's InferenceBatchSize can be changed and saved again.
/// </summary>
public sealed class ModelStringTableTests
{
    // ML.NET's ModelHeader (Microsoft.ML.Core, Model/ModelHeader.cs): where the string table and its characters lie.
    private const int FpStringTableOffset = 0x20, CbStringTableOffset = 0x28, FpStringCharsOffset = 0x30;

    private readonly MLContext _ml = new(seed: 1);

    private byte[] SavedModel(string featureColumn = "Features")
    {
        IDataView data = _ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(32, seed: 5));
        if (featureColumn != "Features")
            data = _ml.Transforms.CopyColumns(featureColumn, "Features").Fit(data).Transform(data);
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);
        options.FeatureColumnName = featureColumn;
        options.ScoreColumnName = "Forecast";
        options.InferenceBatchSize = 16;
        using Seq2SeqTransformer model = _ml.Regression.Trainers.Seq2Seq(options).Fit(data);
        using var memory = new MemoryStream();
        _ml.Model.Save(model, data.Schema, memory);
        return memory.ToArray();
    }

    private static Seq2SeqTransformer Load(MLContext ml, byte[] zip)
    {
        ITransformer model = ml.Model.Load(new MemoryStream(zip), out _);
        return model as Seq2SeqTransformer ?? ((TransformerChain<ITransformer>)model).OfType<Seq2SeqTransformer>().Single();
    }

    private static FormatException LoadFails(byte[] zip) =>
        ReliabilityKit.Find<FormatException>(Assert.ThrowsAny<Exception>(() => Load(new MLContext(), zip).Dispose()));

    /// <summary>The strings of the body entry's string table, with the byte offset of each one's end ("lim") entry.</summary>
    private static List<(string Text, int LimAt)> StringTable(byte[] body)
    {
        long table = BitConverter.ToInt64(body, FpStringTableOffset), tableBytes = BitConverter.ToInt64(body, CbStringTableOffset);
        long chars = BitConverter.ToInt64(body, FpStringCharsOffset);
        var strings = new List<(string, int)>();
        long start = 0;
        for (int i = 0; i < tableBytes / sizeof(long); i++)
        {
            int limAt = (int)(table + i * sizeof(long));
            long lim = BitConverter.ToInt64(body, limAt);
            strings.Add((Encoding.Unicode.GetString(body, (int)(chars + start), (int)(lim - start)), limAt));
            start = lim;
        }
        return strings;
    }

    /// <summary>Where the two name ids lie in the body: right after the checked block that follows ML.NET's header.</summary>
    private static int NameIdsAt(byte[] body) =>
        ModelZip.BodyBlockOffset + sizeof(long) + (int)BitConverter.ToInt64(body, ModelZip.BodyBlockOffset) + 32;

    [Fact]
    public void The_column_names_are_in_the_string_table_and_load_back()
    {
        byte[] zip = SavedModel(featureColumn: "Sensors");

        var strings = StringTable(ModelZip.Read(zip)[ModelZip.BodyEntry]).Select(s => s.Text).ToList();
        using Seq2SeqTransformer loaded = Load(_ml, zip);

        Assert.Contains("Sensors", strings);
        Assert.Contains("Forecast", strings);
        Assert.Equal("Sensors", loaded.FeatureColumnName);
        Assert.Equal("Forecast", loaded.ScoreColumnName);
    }

    [Fact]
    public void An_empty_feature_column_name_in_the_string_table_fails_at_load_naming_it()
    {
        var zip = ModelZip.Read(SavedModel());
        byte[] body = zip[ModelZip.BodyEntry];
        var strings = StringTable(body);
        int feature = strings.FindIndex(s => s.Text == "Features");
        Assert.True(feature >= 0 && feature < strings.Count - 1, $"'Features' at {feature} of {strings.Count} strings");
        // Its end moves back to its start: the entry is empty and the next string takes its characters, a table that
        // ML.NET's header check still accepts.
        long start = feature == 0 ? 0 : BitConverter.ToInt64(body, strings[feature - 1].LimAt);
        BitConverter.GetBytes(start).CopyTo(body, strings[feature].LimAt);
        zip[ModelZip.BodyEntry] = body;

        FormatException error = LoadFails(zip.ToBytes());

        Assert.Equal("The Seq2SeqTransformer model is damaged and cannot be loaded: the feature column name is damaged: its string table entry is missing or empty", error.Message);
    }

    [Theory]
    [InlineData(0, "feature column name")]
    [InlineData(1, "score column name")]
    public void A_name_id_outside_the_string_table_fails_at_load_naming_the_name(int which, string name)
    {
        var zip = ModelZip.Read(SavedModel());
        byte[] body = zip[ModelZip.BodyEntry];
        int idAt = NameIdsAt(body) + which * sizeof(int);
        Assert.InRange(BitConverter.ToInt32(body, idAt), 0, StringTable(body).Count - 1);
        BitConverter.GetBytes(1000).CopyTo(body, idAt);
        zip[ModelZip.BodyEntry] = body;

        FormatException error = LoadFails(zip.ToBytes());

        Assert.Equal($"The Seq2SeqTransformer model is damaged and cannot be loaded: the {name} is damaged: its string table entry is missing or empty", error.Message);
    }

    [Fact]
    public void A_Score_slot_name_count_that_does_not_match_the_horizon_fails_at_load_naming_both()
    {
        // Synthetic rows: a label without slot names, so the count is 0, and no training series, so the block ends
        // with the count and four false bytes: no training series (format 0x00010006), no future-feature column and
        // no future-feature spec (0x00010009), no quantile calibration (0x0001000A).
        var zip = ModelZip.Read(SavedModel());
        byte[] body = zip[ModelZip.BodyEntry];
        int payloadLength = (int)BitConverter.ToInt64(body, ModelZip.BodyBlockOffset);
        int countOffset = payloadLength - sizeof(int) - 4 * sizeof(bool);
        Assert.Equal(0, BitConverter.ToInt32(body, ModelZip.BodyBlockOffset + sizeof(long) + countOffset));
        zip[ModelZip.BodyEntry] = ModelZip.Resealed(body, ModelZip.BodyBlockOffset, payload => BitConverter.GetBytes(5).CopyTo(payload, countOffset));

        FormatException error = LoadFails(zip.ToBytes());

        Assert.Equal($"The Seq2SeqTransformer model is damaged and cannot be loaded: the model holds 5 Score slot names, but Horizon × OutputFeatureCount = "
            + $"{SyntheticSequences.Horizon * SyntheticSequences.FeatureCount}", error.Message);
    }

    [Fact]
    public void InferenceBatchSize_is_settable_on_a_loaded_model_validated_and_saved()
    {
        byte[] zip = SavedModel();
        IDataView data = _ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(40, seed: 9));
        using Seq2SeqTransformer loaded = Load(_ml, zip);
        Assert.Equal(16, loaded.InferenceBatchSize);
        float[][] before = loaded.Transform(data).GetColumn<float[]>("Forecast").ToArray();

        var tooSmall = Assert.Throws<ArgumentOutOfRangeException>(() => loaded.InferenceBatchSize = 0);
        var tooLarge = Assert.Throws<ArgumentOutOfRangeException>(() => loaded.InferenceBatchSize = (1 << 20) + 1);
        loaded.InferenceBatchSize = 3;
        float[][] after = loaded.Transform(data).GetColumn<float[]>("Forecast").ToArray();
        using var resaved = new MemoryStream();
        _ml.Model.Save(loaded, data.Schema, resaved);
        using Seq2SeqTransformer reloaded = Load(_ml, resaved.ToArray());

        Assert.Equal(nameof(Seq2SeqTransformer.InferenceBatchSize), tooSmall.ParamName);
        Assert.StartsWith("InferenceBatchSize must be between 1 and 1048576 rows per forward pass (it was 0).", tooSmall.Message);
        Assert.Contains("(it was 1048577)", tooLarge.Message);
        Assert.Equal(3, loaded.InferenceBatchSize);
        Assert.Equal(3, reloaded.InferenceBatchSize);
        Assert.Equal(before.Length, after.Length);
        for (int i = 0; i < before.Length; i++)
            for (int j = 0; j < before[i].Length; j++)
                Assert.True(Math.Abs(before[i][j] - after[i][j]) < 1e-5, $"row {i}, value {j}: {after[i][j]} in blocks of 3 vs {before[i][j]} in blocks of 16");
    }
}
