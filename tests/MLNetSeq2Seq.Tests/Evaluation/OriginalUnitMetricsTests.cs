using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.Forecasting;
using Xunit;

namespace MLNetSeq2Seq.Tests.Evaluation;

/// <summary>EvaluateSequence in the series' units, next to the z-scored metrics, for windows standardized with series statistics.</summary>
public sealed class OriginalUnitMetricsTests : IClassFixture<TrainedForecaster>
{
    private readonly TrainedForecaster _f;

    public OriginalUnitMetricsTests(TrainedForecaster forecaster) => _f = forecaster;

    [Fact]
    public void Original_unit_metrics_match_a_hand_computation_from_unstandardized_labels_and_scores()
    {
        IDataView scored = _f.Model.Transform(_f.Split.Test);

        SequenceRegressionMetrics metrics = _f.Context.Regression.EvaluateSequence(scored);

        string[] targets = TrainedForecaster.Targets;
        SeriesStatistics statistics = _f.Split.Statistics!;
        float[][] labels = scored.GetColumn<float[]>("Label").Select(l => statistics.Unstandardize(l, targets)).ToArray();
        float[][] scores = scored.GetColumn<float[]>("Score").Select(s => statistics.Unstandardize(s, targets)).ToArray();
        SequenceRegressionMetrics original = metrics.InOriginalUnits!;
        Assert.Equal(targets, metrics.FeatureNames);
        Assert.Equal(targets, original.FeatureNames);
        for (int c = 0; c < targets.Length; c++)
        {
            double[] errors = labels.Zip(scores, (l, s) => Enumerable.Range(0, TrainedForecaster.Horizon).Select(h => (double)s[h * targets.Length + c] - l[h * targets.Length + c]))
                .SelectMany(e => e).ToArray();
            double mse = errors.Average(e => e * e), mae = errors.Average(Math.Abs);
            Assert.Equal(mse, original.MeanSquaredErrorPerFeature[c], 1e-9 * mse);
            Assert.Equal(mae, original.MeanAbsoluteErrorPerFeature[c], 1e-9 * mae);
            // And it is not the z-scored figure: the columns' standard deviations differ from 1.
            double scale = statistics.StandardDeviations[statistics.IndexOf(targets[c])];
            Assert.Equal(metrics.MeanSquaredErrorPerFeature[c] * scale * scale, original.MeanSquaredErrorPerFeature[c], 1e-4 * mse);
        }
        Assert.NotEqual(metrics.MeanSquaredError, original.MeanSquaredError);
        Assert.Equal(metrics.SequenceCount, original.SequenceCount);
    }

    [Fact]
    public void Windows_without_standardization_report_no_second_set_of_metrics()
    {
        IDataView raw = _f.Context.Data.CreateSequenceWindows(_f.Series(200), TrainedForecaster.WindowOptions());
        var scored = _f.Context.Data.LoadFromEnumerable(raw.GetColumn<float[]>("Label").Select(l => new LabelScore { Label = l, Score = l.Select(v => v + 1).ToArray() }));

        SequenceRegressionMetrics metrics = _f.Context.Regression.EvaluateSequence(scored);

        Assert.Null(metrics.InOriginalUnits);
        Assert.Equal(1.0, metrics.MeanSquaredError, 1e-9);
    }

    private sealed class LabelScore
    {
        [Microsoft.ML.Data.VectorType(TrainedForecaster.Horizon, 2)]
        public float[] Label { get; set; } = Array.Empty<float>();

        [Microsoft.ML.Data.VectorType(TrainedForecaster.Horizon, 2)]
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
