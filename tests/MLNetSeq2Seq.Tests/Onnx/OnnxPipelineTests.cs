using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using static MLNetSeq2Seq.Tests.Onnx.OnnxExportKit;

namespace MLNetSeq2Seq.Tests.Onnx;

/// <summary>
/// The exported graph inside ML.NET pipelines: scored back through ApplyOnnxModel, with a normaliser in front and a
/// column copy after, and the clear failure when the feature column has no fixed length.
/// </summary>
public sealed class OnnxPipelineTests
{
    private const double Tolerance = 1e-5;

    public sealed class VariableLengthRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public sealed class VariableLengthRowWithScore
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        [VectorType(Horizon * OutputCount)]
        public float[] Score { get; set; } = new float[Horizon * OutputCount];
    }

    /// <summary>The windows as one flat vector of L × F values: ML.NET writes NormalizeMeanVariance as an ONNX Scaler,
    /// which ONNX Runtime only runs on (N, C) inputs, so a normaliser in front needs a one-dimensional column.</summary>
    public sealed class FlatRow
    {
        [VectorType(InputLength * FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        [VectorType(Horizon * OutputCount)]
        public float[] Label { get; set; } = Array.Empty<float>();
    }

    public sealed class FlatFeaturesRow
    {
        [VectorType(InputLength * FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private static IEnumerable<FlatRow> Flat(IEnumerable<Row> rows) => rows.Select(r => new FlatRow { Features = r.Features, Label = r.Label });

    [Theory]
    [InlineData(NetworkFamily.AutoregressiveEncoderDecoder)]
    [InlineData(NetworkFamily.SegmentRecurrent)]
    public void ApplyOnnxModel_on_the_exported_graph_gives_the_scores_of_Transform(NetworkFamily family)
    {
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions options = OnnxExportTests.Options(family, RecurrentCellType.Gru,
            family == NetworkFamily.SegmentRecurrent ? AttentionKind.None : AttentionKind.Additive, "standardize-affine", channelIndependent: true);
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(Rows(48, seed: 1)));
        IDataView test = FeaturesOnly(ml, Rows(9, seed: 2));
        string path = Export(ml, model, test, $"apply-{family}");
        try
        {
            // ApplyOnnxModel names the column after the graph output, less the converter's ".output" suffix.
            ITransformer onnx = ml.Transforms.ApplyOnnxModel("Score.output", "Features", path).Fit(test);

            double difference = MaxAbsoluteDifference(Scores(model, test), Scores(onnx, test, "Score"));
            Assert.True(difference < Tolerance, $"ApplyOnnxModel differs from Transform by up to {difference:G3}");
            (onnx as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_pipeline_with_a_normaliser_in_front_and_a_column_copy_after_exports_the_whole_computation()
    {
        var ml = new MLContext(seed: 1);
        // Raw features far from zero mean and unit variance: the graph is only right if the normaliser is in it.
        Row[] train = Rows(48, seed: 1, offset: 5, scale: 3), test = Rows(9, seed: 2, offset: 5, scale: 3);
        Seq2SeqOptions options = OnnxExportTests.Options(NetworkFamily.AutoregressiveEncoderDecoder, RecurrentCellType.Gru, AttentionKind.Dot, "none", channelIndependent: false);
        options.InputFeatureCount = FeatureCount;
        options.OutputFeatureCount = OutputCount;
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.Regression.Trainers.Seq2Seq(options))
            .Append(ml.Transforms.CopyColumns("Forecast", "Score"));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(Flat(train)));
        try
        {
            IDataView testView = ml.Data.LoadFromEnumerable(test.Select(r => new FlatFeaturesRow { Features = r.Features }));
            string path = Export(ml, model, testView, "normaliser-copy");
            try
            {
                var (inputs, outputs) = GraphNames(path);
                Assert.Equal(new[] { "Features" }, inputs); // not a pass-through: Score is computed, not read
                Assert.Contains("Score.output", outputs);
                Assert.Contains("Forecast.output", outputs);

                float[] expected = Scores(model, testView, "Forecast");
                double difference = MaxAbsoluteDifference(expected, RunOnnxRuntime(path, test, "Forecast.output", flat: true));
                Assert.True(difference < Tolerance, $"ONNX Runtime differs from the pipeline by up to {difference:G3}");
                Assert.True(MaxAbsoluteDifference(expected, RunOnnxRuntime(path, test, "Score.output", flat: true)) < Tolerance);
            }
            finally
            {
                File.Delete(path);
            }
        }
        finally
        {
            // The chain holds the Seq2Seq transformer (native tensors): dispose it explicitly.
            foreach (ITransformer transformer in model)
                (transformer as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void An_opset_below_the_networks_minimum_fails_naming_the_minimum()
    {
        var ml = new MLContext(seed: 1);
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(
                OnnxExportTests.Options(NetworkFamily.SegmentRecurrent, RecurrentCellType.Gru, AttentionKind.None, "none", channelIndependent: false))
            .Fit(ml.Data.LoadFromEnumerable(Rows(32, seed: 1)));
        IDataView test = FeaturesOnly(ml, Rows(2, seed: 2));
        using var stream = new MemoryStream();

        var error = Assert.ThrowsAny<ArgumentException>(() => ml.Model.ConvertToOnnx(model, test, 9, stream));

        Assert.Contains("Seq2SeqTransformer's minimum OpSet version requirement: 10", error.Message);
    }

    [Fact]
    public void A_feature_column_without_a_fixed_length_refuses_ONNX_with_a_logged_reason_and_ConvertToOnnx_fails()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(
                OnnxExportTests.Options(NetworkFamily.AutoregressiveEncoderDecoder, RecurrentCellType.Gru, AttentionKind.None, "none", channelIndependent: false))
            .Fit(ml.Data.LoadFromEnumerable(Rows(32, seed: 1)));
        // The same windows, but in a column of unknown size: Transform scores them, ONNX cannot be written for them.
        IDataView variable = ml.Data.LoadFromEnumerable(Rows(4, seed: 2).Select(r => new VariableLengthRow { Features = r.Features }));
        Assert.Equal(4 * Horizon * OutputCount, Scores(model, variable).Length);

        using var stream = new MemoryStream();
        Assert.ThrowsAny<InvalidOperationException>(() => ml.Model.ConvertToOnnx(model, variable, stream));

        string reason;
        lock (log)
            reason = log.FirstOrDefault(m => m.Contains("cannot save as ONNX", StringComparison.Ordinal)) ?? "";
        Assert.Contains("no fixed length", reason);
    }

    [Fact]
    public void A_refusal_is_an_exception_naming_the_reason_when_the_input_already_has_a_score_column()
    {
        var ml = new MLContext(seed: 1);
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(
                OnnxExportTests.Options(NetworkFamily.AutoregressiveEncoderDecoder, RecurrentCellType.Gru, AttentionKind.None, "none", channelIndependent: false))
            .Fit(ml.Data.LoadFromEnumerable(Rows(32, seed: 1)));
        // ML.NET would pass an input column named Score through as the graph's Score: that must not happen silently.
        IDataView variable = ml.Data.LoadFromEnumerable(Rows(4, seed: 2).Select(r => new VariableLengthRowWithScore { Features = r.Features }));
        using var stream = new MemoryStream();

        var error = Assert.Throws<InvalidOperationException>(() => ml.Model.ConvertToOnnx(model, variable, stream));

        Assert.Contains("no fixed length", error.Message);
        Assert.Contains("'Score'", error.Message);
    }
}
