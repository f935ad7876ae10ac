using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.MLNetInterop;

public sealed class OlderModelFormatTests
{
    // Written by the release before the forecasting work (commit 719ae86, model format 0x00010003): QuickStart's
    // normaliser + Seq2Seq pipeline, saved as-is, with the features and scores of four test windows beside it.
    private const string Fixture = "quickstart-format-0x00010003.zip";

    [Fact]
    public void A_model_saved_in_format_0x00010003_loads_and_scores_as_it_did_when_saved()
    {
        // The old release scored one row at a time (PredictionEngine); a batch of four may differ in the last bits.
        Seq2SeqTransformer seq2seq = LoadAndCompareScores<QuickStartWindow>(Fixture, (row, features) => row.Features = features);
        Assert.Equal(NetworkFamily.AutoregressiveEncoderDecoder, seq2seq.Network.Architecture.Family);
        Assert.Equal(InstanceNormalization.None, seq2seq.Network.Architecture.Normalization);
        seq2seq.Dispose();
    }

    // Written before the string-table names (model format 0x00010004): a segment-recurrent LSTM with last-value
    // subtraction and channel independence (ForecastingTests' "segment-lstm-ci" on its windows, L = 30, H = 10,
    // three inputs, two targets), with the features and scores of four test windows beside it.
    [Fact]
    public void A_model_saved_in_format_0x00010004_loads_and_scores_as_it_did_when_saved()
    {
        Seq2SeqTransformer seq2seq = LoadAndCompareScores<ForecastWindow>("forecast-format-0x00010004.zip", (row, features) => row.Features = features);
        Assert.Equal(NetworkFamily.SegmentRecurrent, seq2seq.Network.Architecture.Family);
        Assert.Equal("Features", seq2seq.FeatureColumnName);
        Assert.Equal("Score", seq2seq.ScoreColumnName);
        seq2seq.Dispose();
    }

    /// <summary>Loads a fixture model in a plain MLContext, scores the four windows of its ".scores.csv" (features and
    /// scores on alternate lines) and checks each value within 1e-5; returns the model's Seq2SeqTransformer.</summary>
    private static Seq2SeqTransformer LoadAndCompareScores<TWindow>(string fixture, Action<TWindow, float[]> setFeatures) where TWindow : class, new()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture);
        string[] lines = File.ReadAllLines(path + ".scores.csv");
        var rows = Enumerable.Range(0, lines.Length / 2).Select(i =>
        {
            var row = new TWindow();
            setFeatures(row, Parse(lines[2 * i]));
            return row;
        }).ToArray();
        float[][] expected = Enumerable.Range(0, lines.Length / 2).Select(i => Parse(lines[2 * i + 1])).ToArray();

        var ml = new MLContext();
        ITransformer model = ml.Model.Load(path, out _);
        float[][] scores = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score").ToArray();

        Assert.Equal(4, scores.Length);
        for (int i = 0; i < scores.Length; i++)
            for (int j = 0; j < expected[i].Length; j++)
                Assert.True(Math.Abs(expected[i][j] - scores[i][j]) < 1e-5, $"{fixture} window {i}, value {j}: {scores[i][j]} vs {expected[i][j]} when saved");
        return model as Seq2SeqTransformer ?? ((TransformerChain<ITransformer>)model).OfType<Seq2SeqTransformer>().Single();
    }

    private static float[] Parse(string line) => line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    private sealed class ForecastWindow
    {
        [VectorType(30, 3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class QuickStartWindow
    {
        [VectorType(24, 3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
