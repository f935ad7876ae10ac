using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Evaluation;

public sealed class VariableLengthLabelMetricsTests
{
    private const int Horizon = 5, Outputs = 2;

    private sealed class Row
    {
        public float[] Label { get; set; } = Array.Empty<float>();

        [VectorType(Horizon, Outputs)]
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void A_shorter_variable_length_label_is_scored_on_its_own_steps_only()
    {
        var random = new Random(4);
        var rows = Enumerable.Range(0, 30).Select(i =>
        {
            int steps = 1 + i % 4; // never reaches step 5
            return new Row
            {
                Label = Enumerable.Range(0, steps * Outputs).Select(_ => (float)random.NextDouble()).ToArray(),
                Score = Enumerable.Range(0, Horizon * Outputs).Select(_ => (float)random.NextDouble()).ToArray(),
            };
        }).ToList();
        var ml = new MLContext(seed: 1);

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(ml.Data.LoadFromEnumerable(rows));

        var pairs = rows.SelectMany(r => r.Label.Select((y, p) => (Step: p / Outputs, Error: (double)r.Score[p] - y))).ToList();
        Assert.Equal(pairs.Average(p => p.Error * p.Error), metrics.MeanSquaredError, 9);
        Assert.Equal(pairs.Average(p => Math.Abs(p.Error)), metrics.MeanAbsoluteError, 9);
        for (int h = 0; h < 4; h++)
            Assert.Equal(pairs.Where(p => p.Step == h).Average(p => p.Error * p.Error), metrics.MeanSquaredErrorPerStep[h], 9);
        Assert.True(double.IsNaN(metrics.MeanSquaredErrorPerStep[4]), "no sequence reached the last step");
        Assert.Equal(30, metrics.SequenceCount);
    }

    [Fact]
    public void A_variable_length_label_that_is_not_whole_steps_is_refused()
    {
        var ml = new MLContext(seed: 1);
        var rows = new[] { new Row { Label = new float[3], Score = new float[Horizon * Outputs] } };

        var error = Assert.Throws<ArgumentException>(() => ml.Regression.EvaluateSequence(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("row 0", error.Message);
    }
}
