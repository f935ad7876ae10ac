using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static MLNetSeq2Seq.Tests.Onnx.OnnxExportKit;

namespace MLNetSeq2Seq.Tests.Onnx;

/// <summary>
/// mlContext.Model.ConvertToOnnx on trained models of every family, cell, attention, instance normalisation and channel
/// independence: ONNX Runtime (CPU) on the exported graph gives Transform's scores within 1e-5 on z-scored data.
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    private const double Tolerance = 1e-5;

    public static TheoryData<NetworkFamily, RecurrentCellType, AttentionKind, string, bool> Configurations()
    {
        var data = new TheoryData<NetworkFamily, RecurrentCellType, AttentionKind, string, bool>();
        foreach (RecurrentCellType cell in new[] { RecurrentCellType.Gru, RecurrentCellType.Lstm })
            foreach (string normalization in new[] { "none", "subtract-last", "standardize", "standardize-affine" })
                foreach (bool channelIndependent in new[] { false, true })
                {
                    foreach (AttentionKind attention in new[] { AttentionKind.None, AttentionKind.Dot, AttentionKind.Additive })
                        data.Add(NetworkFamily.AutoregressiveEncoderDecoder, cell, attention, normalization, channelIndependent);
                    data.Add(NetworkFamily.SegmentRecurrent, cell, AttentionKind.None, normalization, channelIndependent);
                }
        foreach (string normalization in new[] { "none", "subtract-last", "standardize", "standardize-affine" })
            foreach (bool channelIndependent in new[] { false, true })
            {
                data.Add(NetworkFamily.Linear, RecurrentCellType.Gru, AttentionKind.None, normalization, channelIndependent);
                data.Add(NetworkFamily.PatchTransformer, RecurrentCellType.Gru, AttentionKind.None, normalization, channelIndependent);
            }
        return data;
    }

    /// <summary>The options of one configuration. Layer count, bidirectional encoding and residual decoding vary with
    /// the case, so that every one of them meets both cells.</summary>
    internal static Seq2SeqOptions Options(NetworkFamily family, RecurrentCellType cell, AttentionKind attention, string normalization, bool channelIndependent)
    {
        Seq2SeqOptions options = TinyOptions();
        options.Family = family;
        options.Cell = cell;
        options.ChannelIndependent = channelIndependent;
        options.InstanceNormalization = normalization == "none" ? InstanceNormalization.None
            : normalization == "subtract-last" ? InstanceNormalization.SubtractLast : InstanceNormalization.Standardize;
        options.InstanceNormalizationAffine = normalization == "standardize-affine";
        options.LayerCount = channelIndependent == (normalization is "none" or "standardize") ? 2 : 1;
        if (family == NetworkFamily.SegmentRecurrent)
        {
            options.FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 4 }; // L = 10: two steps of front padding; H = 5: two output segments, cut to 5 steps
        }
        else if (family == NetworkFamily.PatchTransformer)
        {
            // L = 10, P = 4, S = 3: four patches, the last one reading the padding (the last step repeated three times).
            options.FamilyOptions = new PatchTransformerOptions { PatchLength = 4, PatchStride = 3, ModelSize = 8, HeadCount = 2, LayerCount = options.LayerCount, FeedForwardSize = 16 };
        }
        else if (family == NetworkFamily.AutoregressiveEncoderDecoder)
        {
            options.FamilyOptions = new AutoregressiveOptions
            {
                Attention = attention,
                Bidirectional = attention != AttentionKind.None || normalization == "subtract-last",
                ResidualDecoding = attention != AttentionKind.Dot,
            };
        }
        return options;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void OnnxRuntime_on_the_exported_graph_gives_the_scores_of_Transform(NetworkFamily family, RecurrentCellType cell, AttentionKind attention, string normalization, bool channelIndependent)
    {
        var ml = new MLContext(seed: 1);
        Row[] test = Rows(9, seed: 2);
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(Options(family, cell, attention, normalization, channelIndependent))
            .Fit(ml.Data.LoadFromEnumerable(Rows(48, seed: 1)));
        IDataView testView = FeaturesOnly(ml, test);
        string path = Export(ml, model, testView, $"{family}-{cell}-{attention}-{normalization}-{channelIndependent}");
        try
        {
            float[] transformed = Scores(model, testView);
            float[] actual = RunOnnxRuntime(path, test);

            // LSTM too: the library caps oneDNN at AVX2 by default (Native/OneDnnIsaDefault), so Transform's LSTM follows
            // the definition the graph follows; without the cap, AVX-512 kernels differed by up to 0.19 here.
            double difference = MaxAbsoluteDifference(transformed, actual);
            Assert.True(difference < Tolerance, $"{model.Network.Architecture}: ONNX Runtime differs from Transform by up to {difference:G3}");
            _output.WriteLine($"ONNX Runtime vs Transform: {difference:G3}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(NetworkFamily.Linear)]
    [InlineData(NetworkFamily.SegmentRecurrent)]
    public void A_network_reading_the_last_steps_of_longer_windows_exports_and_reloads_with_the_scores_of_Transform(NetworkFamily family)
    {
        // What the baseline comparison or the search returns when a shorter lookback wins: a network whose lookback is
        // half the windows' length, behind the trained model's state (same columns, same windows).
        var ml = new MLContext(seed: 1);
        Row[] test = Rows(9, seed: 2);
        Seq2SeqOptions options = Options(family, RecurrentCellType.Gru, AttentionKind.None, "subtract-last", channelIndependent: true);
        if (family == NetworkFamily.SegmentRecurrent)
            options.FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 3 };
        using Seq2SeqTransformer trained = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(Rows(48, seed: 1)));
        NetworkArchitecture architecture = trained.Network.Architecture with { Lookback = InputLength / 2 };
        using var model = new Seq2SeqTransformer(NetworkFactory.Create(architecture, seed: 4), trained.State, torch.CPU, host: null);
        IDataView testView = FeaturesOnly(ml, test);
        float[] transformed = Scores(model, testView);

        string path = Export(ml, model, testView, $"{family}-shorter-lookback");
        try
        {
            double difference = MaxAbsoluteDifference(transformed, RunOnnxRuntime(path, test));
            Assert.True(difference < Tolerance, $"{architecture}: ONNX Runtime differs from Transform by up to {difference:G3}");
        }
        finally
        {
            File.Delete(path);
        }

        using var saved = new MemoryStream();
        ml.Model.Save(model, testView.Schema, saved);
        saved.Position = 0;
        ITransformer loaded = ml.Model.Load(saved, out _);
        try
        {
            Assert.Equal(transformed, Scores(loaded, testView));
            Assert.Equal(architecture.Lookback, ((Seq2SeqTransformer)loaded).Network.Architecture.Lookback);
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }
}
