using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Evaluation;

public sealed class SequenceMetricsTests
{
    private const double RelativeTolerance = 1e-9;

    [Fact]
    public void Overall_metrics_match_a_direct_computation_over_every_value()
    {
        var ml = new MLContext(seed: 1);
        var data = ScoredSequences.Random(seed: 11, rowCount: 300, horizon: 6, outputFeatureCount: 3);

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(data.ToDataView(ml), labelColumnName: "Label", scoreColumnName: "Score");

        Assert.Equal(300, metrics.SequenceCount);
        AssertClose(data.MeanSquaredError(), metrics.MeanSquaredError);
        AssertClose(Math.Sqrt(data.MeanSquaredError()), metrics.RootMeanSquaredError);
        AssertClose(data.MeanAbsoluteError(), metrics.MeanAbsoluteError);
        AssertClose(data.RSquared(), metrics.RSquared);
        // Labels differ by feature (means 0, 10, 20); SST around one global mean would push R² above 0.99 here.
        Assert.InRange(metrics.RSquared, 0.5, 0.98);
    }

    [Fact]
    public void Per_step_and_per_feature_errors_match_a_direct_computation()
    {
        var ml = new MLContext(seed: 1);
        var data = ScoredSequences.Random(seed: 12, rowCount: 250, horizon: 5, outputFeatureCount: 3);

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(data.ToDataView(ml));

        AssertAllClose(data.MeanSquaredErrorPerStep(), metrics.MeanSquaredErrorPerStep);
        AssertAllClose(data.MeanAbsoluteErrorPerStep(), metrics.MeanAbsoluteErrorPerStep);
        AssertAllClose(data.MeanSquaredErrorPerFeature(), metrics.MeanSquaredErrorPerFeature);
        AssertAllClose(data.MeanAbsoluteErrorPerFeature(), metrics.MeanAbsoluteErrorPerFeature);
        // Each breakdown averages to the overall figure (equal counts per step, and per feature).
        AssertClose(metrics.MeanSquaredError, metrics.MeanSquaredErrorPerStep.Average());
        AssertClose(metrics.MeanAbsoluteError, metrics.MeanAbsoluteErrorPerFeature.Average());
    }

    [Fact]
    public void Perfect_predictions_give_zero_error_and_R_squared_one()
    {
        var ml = new MLContext(seed: 1);
        var data = ScoredSequences.Random(seed: 13, rowCount: 50, horizon: 4, outputFeatureCount: 2);
        var perfect = data.WithScores(data.Labels.Select(label => (float[])label.Clone()).ToArray());

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(perfect.ToDataView(ml));

        Assert.Equal(0, metrics.MeanSquaredError);
        Assert.Equal(0, metrics.RootMeanSquaredError);
        Assert.Equal(0, metrics.MeanAbsoluteError);
        Assert.Equal(1, metrics.RSquared);
        Assert.All(metrics.MeanSquaredErrorPerStep.Concat(metrics.MeanAbsoluteErrorPerFeature), e => Assert.Equal(0, e));
    }

    [Fact]
    public void Predicting_each_position_mean_gives_R_squared_zero()
    {
        var ml = new MLContext(seed: 1);
        var data = ScoredSequences.Random(seed: 14, rowCount: 400, horizon: 4, outputFeatureCount: 3);
        double[,] mean = data.PositionMeans();
        float[] meanSequence = new float[data.Horizon * data.OutputFeatureCount];
        for (int h = 0; h < data.Horizon; h++)
            for (int f = 0; f < data.OutputFeatureCount; f++)
                meanSequence[h * data.OutputFeatureCount + f] = (float)mean[h, f];
        var meanPredictions = data.WithScores(data.Labels.Select(_ => (float[])meanSequence.Clone()).ToArray());

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(meanPredictions.ToDataView(ml));

        // Not exactly 0: each mean is rounded to float before it becomes a score.
        Assert.Equal(0, metrics.RSquared, 6);
        AssertClose(meanPredictions.RSquared(), metrics.RSquared);
    }

    [Fact]
    public void R_squared_stays_accurate_when_labels_sit_far_from_zero()
    {
        // Labels around 1e8 with a spread of 100: Σy² − n·mean² in double loses about three digits of SST here,
        // enough to move R² by ~1e-4; a per-position running mean keeps it to ~1e-10.
        var random = new Random(15);
        const int rowCount = 1000, horizon = 3, outputFeatureCount = 2;
        var labels = new float[rowCount][];
        var scores = new float[rowCount][];
        for (int r = 0; r < rowCount; r++)
        {
            labels[r] = new float[horizon * outputFeatureCount];
            scores[r] = new float[horizon * outputFeatureCount];
            for (int p = 0; p < labels[r].Length; p++)
            {
                labels[r][p] = (float)(1e8 + 100 * ScoredSequences.Gaussian(random));
                scores[r][p] = (float)(labels[r][p] + 70 * ScoredSequences.Gaussian(random));
            }
        }

        var data = new ScoredSequences(labels, scores, horizon, outputFeatureCount);
        var ml = new MLContext(seed: 1);

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(data.ToDataView(ml));

        Assert.InRange(data.RSquared(), 0.3, 0.7);
        Assert.Equal(data.RSquared(), metrics.RSquared, 1e-8);
    }

    [Fact]
    public void Constant_labels_give_R_squared_one_when_perfect_and_zero_otherwise_never_NaN()
    {
        var ml = new MLContext(seed: 1);
        float[][] labels = Enumerable.Range(0, 20).Select(_ => new[] { 3f, -1f, 7f, 0.5f }).ToArray();
        var perfect = new ScoredSequences(labels, labels.Select(l => (float[])l.Clone()).ToArray(), horizon: 2, outputFeatureCount: 2);
        var off = perfect.WithScores(labels.Select(l => l.Select(v => v + 0.25f).ToArray()).ToArray());

        SequenceRegressionMetrics perfectMetrics = ml.Regression.EvaluateSequence(perfect.ToDataView(ml));
        SequenceRegressionMetrics offMetrics = ml.Regression.EvaluateSequence(off.ToDataView(ml));

        Assert.Equal(1, perfectMetrics.RSquared);
        Assert.Equal(0, offMetrics.RSquared);
        AssertClose(0.0625, offMetrics.MeanSquaredError);
        AssertClose(0.25, offMetrics.MeanAbsoluteError);
    }

    [Fact]
    public void Dimensions_come_from_the_score_column_type_even_when_the_label_declares_others()
    {
        var ml = new MLContext(seed: 1);
        var asScoreDeclares = ScoredSequences.Random(seed: 16, rowCount: 120, horizon: 4, outputFeatureCount: 3);
        IDataView view = asScoreDeclares.ToDataView(ml, labelType: ScoredSequences.Vector(2, 6), scoreType: ScoredSequences.Vector(4, 3));

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(view);

        Assert.Equal(4, metrics.MeanSquaredErrorPerStep.Count);
        Assert.Equal(3, metrics.MeanSquaredErrorPerFeature.Count);
        AssertAllClose(asScoreDeclares.MeanSquaredErrorPerStep(), metrics.MeanSquaredErrorPerStep);
        AssertAllClose(asScoreDeclares.MeanAbsoluteErrorPerFeature(), metrics.MeanAbsoluteErrorPerFeature);
    }

    [Fact]
    public void Dimensions_come_from_the_label_column_type_when_the_score_declares_none()
    {
        var ml = new MLContext(seed: 1);
        var asLabelDeclares = ScoredSequences.Random(seed: 17, rowCount: 120, horizon: 3, outputFeatureCount: 4);
        IDataView view = asLabelDeclares.ToDataView(ml, labelType: ScoredSequences.Vector(3, 4), scoreType: ScoredSequences.Vector(12));

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(view);

        AssertAllClose(asLabelDeclares.MeanSquaredErrorPerStep(), metrics.MeanSquaredErrorPerStep);
        AssertAllClose(asLabelDeclares.MeanSquaredErrorPerFeature(), metrics.MeanSquaredErrorPerFeature);
    }

    [Fact]
    public void Without_dimensions_every_value_is_one_step_of_a_single_feature()
    {
        var ml = new MLContext(seed: 1);
        var data = ScoredSequences.Random(seed: 18, rowCount: 80, horizon: 2, outputFeatureCount: 3);
        var asSteps = new ScoredSequences(data.Labels, data.Scores, horizon: 6, outputFeatureCount: 1);
        // The common user path: [VectorType(n)] attributes, plus a column the evaluation must leave alone.
        IDataView view = ml.Data.LoadFromEnumerable(data.Labels.Select((label, r) =>
            new FixedSizeRow { Features = new[] { (float)r, 0f }, Label = label, Score = data.Scores[r] }));

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(view);

        Assert.Equal(6, metrics.MeanSquaredErrorPerStep.Count);
        Assert.Single(metrics.MeanSquaredErrorPerFeature);
        AssertAllClose(asSteps.MeanSquaredErrorPerStep(), metrics.MeanSquaredErrorPerStep);
        AssertClose(asSteps.RSquared(), metrics.RSquared);
    }

    [Fact]
    public void Variable_length_columns_take_the_horizon_from_the_first_row()
    {
        var ml = new MLContext(seed: 1);
        var data = ScoredSequences.Random(seed: 19, rowCount: 60, horizon: 5, outputFeatureCount: 1);

        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(data.ToDataView(ml, labelType: null, scoreType: null));

        AssertAllClose(data.MeanAbsoluteErrorPerStep(), metrics.MeanAbsoluteErrorPerStep);
        AssertClose(data.RSquared(), metrics.RSquared);
    }

    public sealed class FixedSizeRow
    {
        [VectorType(2)]
        public float[] Features { get; set; } = Array.Empty<float>();

        [VectorType(6)]
        public float[] Label { get; set; } = Array.Empty<float>();

        [VectorType(6)]
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private static void AssertClose(double expected, double actual)
    {
        double tolerance = RelativeTolerance * Math.Max(1, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"Expected {expected:R}, got {actual:R}.");
    }

    private static void AssertAllClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            AssertClose(expected[i], actual[i]);
    }
}
