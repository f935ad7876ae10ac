using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Xunit;

namespace MLNetSeq2Seq.Tests.PyTorch;

/// <summary>A network trained in PyTorch with the reference module becomes a Seq2SeqTransformer: same scores, and an ML.NET zip like any other.</summary>
public sealed class PyTorchImportTests(PyTorchDriver python) : IClassFixture<PyTorchDriver>
{
    private const double Tolerance = 1e-5;

    // Both families, GRU and LSTM, dot and additive attention, bidirectional, both normalisations, affine, channel independence.
    [PyTorchTheory]
    [InlineData("AutoregressiveEncoderDecoder", "Gru", "Dot", true, "None", false, false)]
    [InlineData("AutoregressiveEncoderDecoder", "Lstm", "Additive", false, "Standardize", true, true)]
    [InlineData("SegmentRecurrent", "Gru", "None", false, "SubtractLast", false, true)]
    [InlineData("SegmentRecurrent", "Lstm", "None", false, "Standardize", true, false)]
    [InlineData("PatchTransformer", "Gru", "None", false, "SubtractLast", false, true)]
    [InlineData("PatchTransformer", "Gru", "None", false, "Standardize", true, false)]
    public void Weights_trained_in_PyTorch_score_the_same_after_import_and_after_an_MLNet_zip(
        string family, string cell, string attention, bool bidirectional, string normalization, bool affine, bool channelIndependent)
    {
        var train = SyntheticSequences.Generate(48, seed: 5);
        var test = SyntheticSequences.Generate(7, seed: 9);
        using var folder = new TemporaryFolder();
        int length = SyntheticSequences.InputLength, features = SyntheticSequences.FeatureCount, horizon = SyntheticSequences.Horizon;
        InterchangeKit.WriteTensors(folder.File("inputs.safetensors"),
            ("features", new long[] { train.Count, length, features }, InterchangeKit.Features(train)),
            ("labels", new long[] { train.Count, horizon, features }, InterchangeKit.Labels(train)),
            ("test_features", new long[] { test.Count, length, features }, InterchangeKit.Features(test)));

        var architecture = new JsonObject
        {
            ["input_feature_count"] = features, ["output_feature_count"] = features, ["horizon"] = horizon, ["hidden_size"] = 12,
            ["layer_count"] = 2, ["cell"] = cell, ["bidirectional"] = bidirectional, ["attention"] = attention, ["dropout"] = 0.1,
            ["family"] = family, ["segment_length"] = 5, ["normalization"] = normalization, ["normalization_affine"] = affine,
            ["channel_independent"] = channelIndependent, ["residual_decoding"] = !bidirectional,
        };
        if (family == nameof(NetworkFamily.PatchTransformer))
        {
            // Its head is shaped by the window (L = 12); patches of 4 steps, 3 apart: five, the last reading the padding.
            architecture["residual_decoding"] = false;
            architecture["lookback"] = length;
            architecture["family_fields"] = new JsonObject { ["patch_length"] = 4, ["patch_stride"] = 3, ["head_count"] = 3, ["feed_forward_size"] = 16 };
        }
        JsonObject answer = python.CallOk(new JsonObject
        {
            ["op"] = "train", ["steps"] = 8, ["seed"] = 7, ["teacher_forcing"] = 0.5,
            ["architecture"] = architecture,
            ["inputs"] = folder.File("inputs.safetensors"), ["model"] = folder.File("model.safetensors"), ["out"] = folder.File("scores.safetensors"),
        });
        double[] losses = answer["losses"]!.AsArray().Select(l => l!.GetValue<double>()).ToArray();
        Assert.True(losses[^1] < losses[0], $"PyTorch did not train: losses {string.Join(", ", losses)}");
        float[] expected = InterchangeKit.ReadTensor(folder.File("scores.safetensors"), "scores");

        var ml = new MLContext(seed: 1);
        IDataView testData = ml.Data.LoadFromEnumerable(test);
        using Seq2SeqTransformer imported = ml.Model.ImportSeq2SeqFromPyTorch(folder.File("model.safetensors"),
            new PyTorchImportOptions { InputFeatureCount = features, OutputFeatureCount = features, Horizon = horizon });
        InterchangeKit.AssertClose(expected, InterchangeKit.Scores(ml, imported, testData), Tolerance, $"Transform of the imported {family} {cell} model");
        Assert.Empty(imported.TrainingHistory.Epochs);
        Assert.Equal(family, imported.Network.Architecture.Family.ToString());

        ml.Model.Save(imported, testData.Schema, folder.File("model.zip"));
        ITransformer loaded = new MLContext().Model.Load(folder.File("model.zip"), out _);
        try
        {
            InterchangeKit.AssertClose(expected, InterchangeKit.Scores(ml, loaded, testData), Tolerance, "the imported model after an ML.NET zip");
        }
        finally
        {
            (loaded as System.IDisposable)?.Dispose();
        }
    }
}
