using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.MLNetInterop;

public sealed class FormatBFixtureTests
{
    // Written by the release at commit 6af7954 (model format 0x0001000B, the last before the family's own fields moved
    // into a length-prefixed block in 0x0001000C): a segment-recurrent LSTM (segment length 5, hidden size 16) with
    // last-value subtraction, channel independence and quantiles {0.1, 0.5, 0.9} calibrated on a 20% validation hold-out,
    // trained 2 epochs on ForecastingTests' windows (L = 30, H = 10, three inputs, two targets). Beside it: the features
    // and "Score" of four test windows on alternate lines (".scores.csv") and their "ScoreQuantiles", one line per window
    // (".quantiles.csv"), every value written with "R" and scored as one batch of four, so the comparison is exact.
    private const string Fixture = "forecast-format-0x0001000B.zip";

    [Fact]
    public void A_model_saved_in_format_0x0001000B_loads_and_scores_bit_identically()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", Fixture);
        string[] scoreLines = File.ReadAllLines(path + ".scores.csv");
        string[] quantileLines = File.ReadAllLines(path + ".quantiles.csv");
        Assert.Equal(8, scoreLines.Length);
        Assert.Equal(4, quantileLines.Length);
        Window[] rows = Enumerable.Range(0, 4).Select(i => new Window { Features = Parse(scoreLines[2 * i]) }).ToArray();
        float[][] expectedScores = Enumerable.Range(0, 4).Select(i => Parse(scoreLines[2 * i + 1])).ToArray();
        float[][] expectedQuantiles = quantileLines.Select(Parse).ToArray();

        var ml = new MLContext();
        ITransformer model = ml.Model.Load(path, out _);
        Seq2SeqTransformer seq2seq = model as Seq2SeqTransformer ?? ((TransformerChain<ITransformer>)model).OfType<Seq2SeqTransformer>().Single();
        try
        {
            Assert.Equal(NetworkFamily.SegmentRecurrent, seq2seq.Network.Architecture.Family);
            Assert.Equal(new[] { 0.1, 0.5, 0.9 }, seq2seq.Network.Architecture.Quantiles);
            Assert.NotNull(seq2seq.QuantileCalibration); // the conformal offsets (0x0001000A) were saved and read back

            IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows)); // one batch of four, as when saved
            float[][] scores = scored.GetColumn<float[]>("Score").ToArray();
            float[][] quantiles = scored.GetColumn<float[]>("ScoreQuantiles").ToArray();

            Assert.Equal(4, scores.Length);
            Assert.Equal(4, quantiles.Length);
            for (int i = 0; i < 4; i++)
            {
                AssertExactlyEqual(expectedScores[i], scores[i], $"Score, window {i}");
                AssertExactlyEqual(expectedQuantiles[i], quantiles[i], $"ScoreQuantiles, window {i}");
            }
        }
        finally
        {
            seq2seq.Dispose();
        }
    }

    private static void AssertExactlyEqual(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{Fixture} {what}: {actual.Length} values vs {expected.Length} when saved");
        for (int j = 0; j < expected.Length; j++)
            Assert.True(expected[j] == actual[j], // exact: not within a tolerance
                $"{Fixture} {what}, value {j}: {actual[j].ToString("R", CultureInfo.InvariantCulture)} vs {expected[j].ToString("R", CultureInfo.InvariantCulture)} when saved");
    }

    private static float[] Parse(string line) => line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    private sealed class Window
    {
        [VectorType(30, 3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
