using System;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Tests.Data;
using TorchSharp;
using Xunit;

namespace MLNetSeq2Seq.Tests.PyTorch;

/// <summary>A model trained here, exported, and scored by the reference PyTorch module (python/mlnetseq2seq_reference.py).</summary>
public sealed class PyTorchExportTests(PyTorchDriver python) : IClassFixture<PyTorchDriver>
{
    private const double Tolerance = 1e-5;

    // Together: both families, GRU and LSTM, no/dot/additive attention, bidirectional and two-layer encoders, residual
    // decoding, both instance normalisations (with and without affine) and channel independence, each at least once.
    public static TheoryData<string> Configurations() => new()
    {
        "autoregressive gru",
        "autoregressive lstm dot bidirectional two-layers",
        "autoregressive gru additive residual standardize affine",
        "autoregressive lstm additive subtract-last channel-independent",
        "segment gru subtract-last channel-independent",
        "segment lstm two-layers standardize affine",
        "linear subtract-last channel-independent",
        "linear standardize affine",
        "linear subtract-last channel-independent half-lookback", // a kept shorter lookback: the last 6 of 12 steps
        "segment gru subtract-last channel-independent half-lookback", // a search candidate over the last 6 of 12 steps
        "patch subtract-last channel-independent",
        "patch standardize affine two-layers",
        "patch subtract-last channel-independent half-lookback",
    };

    internal static Seq2SeqOptions Options(string configuration)
    {
        string[] words = configuration.Split(' ');
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 2);
        options.HiddenSize = 16;
        options.Family = words.Contains("segment") ? NetworkFamily.SegmentRecurrent
            : words.Contains("linear") ? NetworkFamily.Linear
            : words.Contains("patch") ? NetworkFamily.PatchTransformer : NetworkFamily.AutoregressiveEncoderDecoder;
        if (words.Contains("patch")) // L = 12, P = 4, S = 3: five patches, the last one reading the padding
            options.FamilyOptions = new PatchTransformerOptions { PatchLength = 4, PatchStride = 3, ModelSize = 8, HeadCount = 2, LayerCount = words.Contains("two-layers") ? 2 : 1, FeedForwardSize = 16 };
        if (words.Contains("segment"))
            options.FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 5 }; // L = 12 is padded to 15, H = 4 cropped from 5
        options.Cell = words.Contains("lstm") ? RecurrentCellType.Lstm : RecurrentCellType.Gru;
        options.LayerCount = words.Contains("two-layers") ? 2 : 1;
        options.Dropout = words.Contains("two-layers") ? 0.1 : 0;
        if (options.Family == NetworkFamily.AutoregressiveEncoderDecoder)
        {
            options.FamilyOptions = new AutoregressiveOptions
            {
                Attention = words.Contains("dot") ? AttentionKind.Dot : words.Contains("additive") ? AttentionKind.Additive : AttentionKind.None,
                Bidirectional = words.Contains("bidirectional"),
                ResidualDecoding = words.Contains("residual"),
            };
        }
        options.InstanceNormalization = words.Contains("standardize") ? InstanceNormalization.Standardize
            : words.Contains("subtract-last") ? InstanceNormalization.SubtractLast : InstanceNormalization.None;
        options.InstanceNormalizationAffine = words.Contains("affine");
        options.ChannelIndependent = words.Contains("channel-independent");
        return options;
    }

    [PyTorchTheory]
    [MemberData(nameof(Configurations))]
    public void A_model_trained_here_gives_the_same_scores_in_the_reference_PyTorch_module(string configuration)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(64, seed: 3));
        var testRows = SyntheticSequences.Generate(9, seed: 11);
        using Seq2SeqTransformer trained = ml.Regression.Trainers.Seq2Seq(Options(configuration)).Fit(train);
        using Seq2SeqTransformer? shorter = configuration.Contains("half-lookback", StringComparison.Ordinal)
            ? new Seq2SeqTransformer(NetworkFactory.Create(trained.Network.Architecture with { Lookback = SyntheticSequences.InputLength / 2 }, seed: 4), trained.State, torch.CPU, host: null)
            : null;
        Seq2SeqTransformer model = shorter ?? trained;
        float[] expected = InterchangeKit.Scores(ml, model, ml.Data.LoadFromEnumerable(testRows));
        using var folder = new TemporaryFolder();

        ml.Model.ExportSeq2SeqToPyTorch(model, folder.File("model.safetensors"));
        InterchangeKit.WriteTensors(folder.File("inputs.safetensors"),
            ("features", new long[] { testRows.Count, SyntheticSequences.InputLength, SyntheticSequences.FeatureCount }, InterchangeKit.Features(testRows)));
        JsonObject answer = python.CallOk(new JsonObject
        {
            ["op"] = "score", ["model"] = folder.File("model.safetensors"), ["inputs"] = folder.File("inputs.safetensors"), ["out"] = folder.File("scores.safetensors"),
        });

        float[] actual = InterchangeKit.ReadTensor(folder.File("scores.safetensors"), "scores");
        InterchangeKit.AssertClose(expected, actual, Tolerance, $"PyTorch {python.TorchVersion} on the exported {configuration} model");
        JsonNode architecture = answer["architecture"]!;
        Assert.Equal(model.Network.Architecture.Family.ToString(), architecture["family"]!.GetValue<string>());
        Assert.Equal(model.Network.Architecture.Normalization.ToString(), architecture["normalization"]!.GetValue<string>());
        Assert.Equal("Features", answer["feature_column_name"]!.GetValue<string>());
    }

    [PyTorchFact]
    public void Rows_of_different_lengths_score_the_same_in_PyTorch_with_their_lengths()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(VariableLengthTests.Generate(64, seed: 2));
        var testRows = VariableLengthTests.Generate(10, seed: 13);
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 2);
        options.HiddenSize = 16;
        options.InputFeatureCount = VariableLengthTests.FeatureCount;
        options.OutputFeatureCount = VariableLengthTests.FeatureCount;
        options.Horizon = VariableLengthTests.Horizon;
        options.FamilyOptions = new AutoregressiveOptions { Attention = AttentionKind.Dot };
        options.InstanceNormalization = InstanceNormalization.Standardize;
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(train);
        float[] expected = InterchangeKit.Scores(ml, model, ml.Data.LoadFromEnumerable(testRows));
        using var folder = new TemporaryFolder();
        ml.Model.ExportSeq2SeqToPyTorch(model, folder.File("model.safetensors"));

        // Right-padded (N, Lmax, F) with each row's length, as Transform batches them.
        int features = VariableLengthTests.FeatureCount, longest = testRows.Max(r => r.Features.Length) / features;
        var padded = new float[testRows.Count * longest * features];
        for (int i = 0; i < testRows.Count; i++)
            testRows[i].Features.CopyTo(padded, i * longest * features);
        float[] lengths = testRows.Select(r => (float)(r.Features.Length / features)).ToArray();
        Assert.True(lengths.Distinct().Count() > 3, "the test rows should differ in length");
        InterchangeKit.WriteTensors(folder.File("inputs.safetensors"),
            ("features", new long[] { testRows.Count, longest, features }, padded), ("lengths", new long[] { testRows.Count }, lengths));
        python.CallOk(new JsonObject
        {
            ["op"] = "score", ["model"] = folder.File("model.safetensors"), ["inputs"] = folder.File("inputs.safetensors"), ["out"] = folder.File("scores.safetensors"),
        });

        InterchangeKit.AssertClose(expected, InterchangeKit.ReadTensor(folder.File("scores.safetensors"), "scores"), Tolerance, "variable-length rows");
    }

    [PyTorchFact]
    public void The_reference_module_refuses_a_file_whose_keys_do_not_fit_and_names_the_key()
    {
        var architecture = new MLNetSeq2Seq.Networks.NetworkArchitecture(2, 2, 4, HiddenSize: 8, LayerCount: 1, RecurrentCellType.Lstm,
            Bidirectional: false, AttentionKind.Additive, Dropout: 0);
        using Seq2SeqTransformer model = InterchangeKit.Untrained(architecture);
        using var folder = new TemporaryFolder();
        var ml = new MLContext();
        using (var stream = new System.IO.MemoryStream())
        {
            ml.Model.ExportSeq2SeqToPyTorch(model, stream);
            stream.Position = 0;
            var file = MLNetSeq2Seq.PyTorch.SafeTensorsFile.Read(stream);
            var tensors = file.Tensors.ToDictionary(p => p.Key == "attention.score.weight" ? "attention.scores.weight" : p.Key, p => p.Value);
            using var output = System.IO.File.Create(folder.File("model.safetensors"));
            new MLNetSeq2Seq.PyTorch.SafeTensorsFile(file.Metadata, tensors).Write(output);
        }
        InterchangeKit.WriteTensors(folder.File("inputs.safetensors"), ("features", new long[] { 1, 3, 2 }, new float[6]));

        JsonObject answer = python.Call(new JsonObject
        {
            ["op"] = "score", ["model"] = folder.File("model.safetensors"), ["inputs"] = folder.File("inputs.safetensors"), ["out"] = folder.File("scores.safetensors"),
        });

        Assert.False(answer["ok"]!.GetValue<bool>());
        Assert.Contains("no tensor 'attention.score.weight'", answer["error"]!.GetValue<string>());
    }
}
