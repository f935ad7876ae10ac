using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.Data;
using MLNetSeq2Seq.Tests.Forecasting;
using MLNetSeq2Seq.Training;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

/// <summary>Known-future features through the loop: held-out validation, the learning-rate range test and exact resume,
/// on the series-backed windows and on their row-by-row copies alike.</summary>
public sealed class FutureFeatureTrainingTests
{
    private static IDataView Windows(MLContext ml) =>
        ml.Data.CreateSequenceWindows(EventSeries.Load(ml, EventSeries.Create(260)),
            EventSeries.WindowOptions(futureEvents: true, CalendarFeatures.HourOfDay | CalendarFeatures.Month));

    private static float[] Scores(MLContext ml, Seq2SeqTransformer model, IDataView windows) =>
        model.Transform(windows).GetColumn<float[]>("Score").SelectMany(v => v).ToArray();

    [Fact]
    public void A_checkpoint_of_a_run_with_future_features_resumes_exactly_and_copies_train_like_the_series()
    {
        var ml = new MLContext(seed: 1);
        IDataView windows = Windows(ml);
        using var folder = new TemporaryFolder();
        Seq2SeqOptions Options() => new()
        {
            HiddenSize = 16, BatchSize = 32, MaxEpochs = 4, LearningRate = 1e-2, Seed = 6, Dropout = 0.2, TeacherForcingRatio = 0.5, ValidationFraction = 0.2,
            EarlyStopping = { Patience = 20 }, FutureFeatureColumnName = "FutureFeatures",
        };
        using Seq2SeqTransformer uninterrupted = ml.Regression.Trainers.Seq2Seq(Options()).Fit(windows);

        Seq2SeqOptions interrupted = Options();
        interrupted.Checkpoints = new() { Directory = folder.Path };
        interrupted.Progress = new TrainingTestKit.SynchronousProgress<EpochSummary>(e => { if (e.Epoch == 2) ml.CancelExecution(); });
        // Interrupted on copied windows, resumed on the series.
        Assert.ThrowsAny<OperationCanceledException>(() => TrainingSwitches.With(() => ml.Regression.Trainers.Seq2Seq(interrupted).Fit(windows), copyWindows: true));

        var fresh = new MLContext(seed: 1);
        Seq2SeqOptions resumed = Options();
        resumed.Checkpoints = new() { ResumeFrom = folder.Path };
        using Seq2SeqTransformer continued = fresh.Regression.Trainers.Seq2Seq(resumed).Fit(windows);

        Assert.Equal(1 + 2 + 1, continued.FutureFeatureCount);
        Assert.All(uninterrupted.TrainingHistory.Epochs, e => Assert.True(double.IsFinite(e.ValidationLoss ?? double.NaN)));
        Assert.Equal(uninterrupted.TrainingHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss, e.LearningRate)),
            continued.TrainingHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss, e.LearningRate)));
        Assert.Equal(Scores(ml, uninterrupted, windows), Scores(ml, continued, windows));
    }

    [Fact]
    public void The_learning_rate_range_test_runs_with_future_features_on_either_storage()
    {
        var ml = new MLContext(seed: 1);
        IDataView windows = Windows(ml);
        Seq2SeqOptions Options() => new()
        {
            Family = NetworkFamily.SegmentRecurrent, FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 4 }, HiddenSize = 16, BatchSize = 16, Seed = 8,
            FutureFeatureColumnName = "FutureFeatures",
        };
        var sweep = new LearningRateRangeTestOptions { StartLearningRate = 1e-4, EndLearningRate = 1, StepCount = 12 };

        var fromSeries = ml.Regression.Trainers.FindSeq2SeqLearningRate(windows, Options(), sweep);
        var fromCopies = TrainingSwitches.With(() => ml.Regression.Trainers.FindSeq2SeqLearningRate(windows, Options(), sweep), copyWindows: true);

        Assert.Equal(12, fromSeries.Curve.Count);
        Assert.Equal(fromCopies.Curve, fromSeries.Curve);
    }

    [Fact]
    public void A_future_feature_column_that_is_missing_or_of_another_horizon_is_an_error_naming_it()
    {
        var ml = new MLContext(seed: 1);
        IDataView windows = Windows(ml);
        var missing = Assert.ThrowsAny<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(new Seq2SeqOptions { FutureFeatureColumnName = "Plan", MaxEpochs = 1 }).Fit(windows));
        Assert.Contains("'Plan'", missing.Message);
        var otherHorizon = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(
            new Seq2SeqOptions { FutureFeatureColumnName = "Features", MaxEpochs = 1 }).Fit(windows));
        Assert.Equal(nameof(Seq2SeqOptions.FutureFeatureColumnName), otherHorizon.ParamName);
    }
}
