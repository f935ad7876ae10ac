using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests;

public sealed class Seq2SeqEstimatorTests
{
    [Fact]
    public void Fit_learns_a_delayed_scaled_copy_far_better_than_the_mean()
    {
        var ml = new MLContext(seed: 1);
        var trainRows = SyntheticSequences.Generate(640, seed: 11);
        var testRows = SyntheticSequences.Generate(200, seed: 12);
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 40);
        options.ValidationFraction = 0.15;

        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(trainRows));
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(testRows));
        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(scored, labelColumnName: "Label", scoreColumnName: "Score");

        double meanPredictor = SyntheticSequences.MeanPredictorMse(testRows);
        Assert.Equal(testRows.Count, metrics.SequenceCount);
        Assert.True(metrics.MeanSquaredError < 0.1 * meanPredictor, $"test MSE {metrics.MeanSquaredError:G4} vs mean predictor {meanPredictor:G4}");
        Assert.True(metrics.RSquared > 0.9, $"R² {metrics.RSquared:G4}");
        Assert.Equal(SyntheticSequences.Horizon, metrics.MeanSquaredErrorPerStep.Count);
        Assert.Equal(SyntheticSequences.FeatureCount, metrics.MeanSquaredErrorPerFeature.Count);
        Assert.NotEmpty(model.TrainingHistory.Epochs);
    }

    [Fact]
    public void Every_row_is_visited_exactly_once_per_epoch_including_the_last_partial_batch()
    {
        var ml = new MLContext(seed: 1);
        const int rows = 103;
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 3);
        options.BatchSize = 10;
        options.MicroBatchSize = 4;
        var observer = new VisitCounter();
        var estimator = ml.Regression.Trainers.Seq2Seq(options);
        estimator.Observer = observer;

        using var model = estimator.Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(rows, seed: 3)));

        Assert.Equal(new[] { 1, 2, 3 }, observer.Visits.Keys.OrderBy(k => k));
        foreach (var (epoch, order) in observer.Visits)
            Assert.Equal(Enumerable.Range(0, rows).Select(i => (long)i), order.OrderBy(i => i));
        Assert.NotEqual(observer.Visits[1], observer.Visits[2]); // shuffled anew each epoch
        Assert.All(observer.MicroBatchSizes, size => Assert.InRange(size, 1, 4));
        Assert.All(model.TrainingHistory.Epochs, e => Assert.Equal(11, e.OptimizerSteps));
    }

    [Fact]
    public void Early_stopping_returns_the_best_epochs_weights_not_the_last()
    {
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 12);
        options.ValidationFraction = 0.2;
        options.EarlyStopping.Patience = 3;
        // From epoch 4 on, the observer wrecks the weights before validation: later epochs must be worse.
        var observer = new WeightRecorder(sabotageFromEpoch: 4);
        var estimator = ml.Regression.Trainers.Seq2Seq(options);
        estimator.Observer = observer;

        using var model = estimator.Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(300, seed: 5)));

        TrainingHistory history = model.TrainingHistory;
        Assert.True(history.StoppedEarly);
        Assert.True(history.BestEpoch < history.Epochs.Count, $"best {history.BestEpoch} of {history.Epochs.Count}");
        Assert.Equal(history.Epochs.Min(e => e.ValidationLoss), history.BestValidationLoss);
        var kept = model.Network.state_dict();
        foreach (var (name, value) in observer.Snapshots[history.BestEpoch])
            Assert.True(TensorAssert.Identical(kept[name], value), $"{name} differs from epoch {history.BestEpoch}'s weights");
    }

    [Fact]
    public void The_reported_train_loss_is_the_per_element_mean_squared_error_like_validation()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticSequences.Generate(96, seed: 4);
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 1);
        // A learning rate too small to move the weights, no teacher forcing: training sees what validation sees.
        options.LearningRate = 1e-12;
        options.Schedule.Kind = LearningRateSchedule.Constant;
        options.TeacherForcingRatio = 0;
        options.ValidationSet = ml.Data.LoadFromEnumerable(rows);

        using var model = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(rows));

        EpochSummary epoch = model.TrainingHistory.Epochs.Single();
        Assert.Equal(epoch.ValidationLoss!.Value, epoch.TrainLoss, epoch.TrainLoss * 1e-4);
    }

    [Fact]
    public void Live_tensors_stay_constant_from_epoch_to_epoch()
    {
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 6);
        options.ValidationFraction = 0.2;
        options.MicroBatchSize = 8;
        options.FamilyOptions = new AutoregressiveOptions { Attention = AttentionKind.Additive };
        var observer = new LiveTensorCounter();
        var estimator = ml.Regression.Trainers.Seq2Seq(options);
        estimator.Observer = observer;

        using var model = estimator.Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(150, seed: 2)));

        Assert.Equal(6, observer.LiveCounts.Count);
        Assert.All(observer.LiveCounts.Skip(2), count => Assert.Equal(observer.LiveCounts[1], count));
    }

    [Fact]
    public void Repeated_fits_leave_no_tensors_behind_once_their_models_are_disposed()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(64, seed: 2));
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 1);
        options.ValidationFraction = 0.25;
        void FitAndDispose() { using var model = ml.Regression.Trainers.Seq2Seq(options).Fit(data); }

        FitAndDispose(); // warm-up: one-time allocations of TorchSharp itself
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++)
            FitAndDispose();

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void The_same_seed_gives_identical_weights_and_another_seed_does_not()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(120, seed: 7));
        Seq2SeqOptions Options(int seed)
        {
            var o = SyntheticSequences.SmallOptions(maxEpochs: 3);
            o.Seed = seed;
            o.Dropout = 0.2;
            o.LayerCount = 2;
            return o;
        }

        using var first = ml.Regression.Trainers.Seq2Seq(Options(5)).Fit(data);
        using var second = ml.Regression.Trainers.Seq2Seq(Options(5)).Fit(data);
        using var third = ml.Regression.Trainers.Seq2Seq(Options(6)).Fit(data);

        var a = first.Network.state_dict();
        var b = second.Network.state_dict();
        var c = third.Network.state_dict();
        Assert.All(a.Keys, name => Assert.True(TensorAssert.Identical(a[name], b[name]), name));
        Assert.Contains(a.Keys, name => !TensorAssert.Identical(a[name], c[name]));
    }

    [Fact]
    public void Validation_loss_is_the_inference_loss_even_with_dropout()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticSequences.Generate(200, seed: 9);
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 2);
        options.Dropout = 0.5;
        options.LayerCount = 2;
        options.ValidationSet = ml.Data.LoadFromEnumerable(rows.Skip(150));
        options.EarlyStopping.Patience = 5;

        using var model = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(rows.Take(150)));

        // The model holds the best epoch's weights; scoring the validation rows with Transform must reproduce that
        // epoch's validation loss — it would not if validation had run with dropout or teacher forcing.
        var metrics = ml.Regression.EvaluateSequence(model.Transform(options.ValidationSet));
        double recorded = model.TrainingHistory.BestValidationLoss!.Value;
        Assert.Equal(recorded, metrics.MeanSquaredError, recorded * 1e-5);
        // And scoring twice gives the same numbers (no dropout at inference).
        var again = ml.Regression.EvaluateSequence(model.Transform(options.ValidationSet));
        Assert.Equal(metrics.MeanSquaredError, again.MeanSquaredError);
    }

    [Fact]
    public void CancelExecution_stops_Fit_with_MLNets_cancellation_exception()
    {
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 50);
        int epochsSeen = 0;
        options.Progress = new SynchronousProgress<EpochSummary>(_ =>
        {
            epochsSeen++;
            ml.CancelExecution();
        });

        Assert.ThrowsAny<OperationCanceledException>(() => ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(64, seed: 2))));
        Assert.Equal(1, epochsSeen);
    }

    [Fact]
    public void Options_out_of_range_fail_before_any_data_is_read()
    {
        var ml = new MLContext(seed: 1);
        var options = SyntheticSequences.SmallOptions();
        options.BatchSize = 0;
        options.LabelColumnName = "NoSuchColumn"; // would fail later, when the data is looked at

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(8, seed: 1))));
        Assert.Equal(nameof(Seq2SeqOptions.BatchSize), error.ParamName);
    }

    [Fact]
    public void A_label_of_the_wrong_length_is_reported_with_the_numbers()
    {
        var ml = new MLContext(seed: 1);
        var options = SyntheticSequences.SmallOptions();
        options.Horizon = 5; // the label column is [4, 2]

        var error = Assert.ThrowsAny<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(8, seed: 1))));
        Assert.Contains("Horizon = 5", error.Message);
        Assert.Contains("[4, 2]", error.Message);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class VisitCounter : ITrainingObserver
    {
        public Dictionary<int, List<long>> Visits { get; } = new();

        public List<int> MicroBatchSizes { get; } = new();

        public void OnMicroBatch(int epoch, ReadOnlySpan<long> rows)
        {
            if (!Visits.TryGetValue(epoch, out var list))
                Visits[epoch] = list = new List<long>();
            list.AddRange(rows.ToArray());
            MicroBatchSizes.Add(rows.Length);
        }

        public void OnEpochEnd(int epoch, SequenceNetwork network)
        {
        }
    }

    private sealed class LiveTensorCounter : ITrainingObserver
    {
        public List<long> LiveCounts { get; } = new();

        public void OnMicroBatch(int epoch, ReadOnlySpan<long> rows)
        {
        }

        public void OnEpochEnd(int epoch, SequenceNetwork network) => LiveCounts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    private sealed class WeightRecorder(int sabotageFromEpoch) : ITrainingObserver
    {
        private readonly torch.Generator _sabotage = new(17);

        public Dictionary<int, Dictionary<string, Tensor>> Snapshots { get; } = new();

        public void OnMicroBatch(int epoch, ReadOnlySpan<long> rows)
        {
        }

        public void OnEpochEnd(int epoch, SequenceNetwork network)
        {
            using (torch.no_grad())
            {
                if (epoch >= sabotageFromEpoch)
                    foreach (var parameter in network.parameters())
                        parameter.add_(torch.randn(parameter.shape, generator: _sabotage) * 2.0);
            }
            Snapshots[epoch] = network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        }
    }
}
