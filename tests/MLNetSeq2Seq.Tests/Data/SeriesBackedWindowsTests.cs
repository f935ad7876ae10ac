using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Columns;
using MLNetSeq2Seq.Tests.Training;
using MLNetSeq2Seq.Training;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>
/// Fit keeps a window view's series once and cuts each batch's windows from it (<see cref="SeriesWindowStorage"/>);
/// the internal switch <c>TrainingSwitches.CopyWindows</c> copies every window instead, as for any other IDataView.
/// Both must give the same tensors and so the same training, bit for bit.
/// </summary>
public sealed class SeriesBackedWindowsTests
{
    private const int L = 12, H = 5;

    private static SequenceWindowOptions WindowOptions(string[] inputs, string[] targets, int stride) =>
        new() { InputColumnNames = inputs, TargetColumnNames = targets, InputLength = L, Horizon = H, Stride = stride, TimestampColumnName = null };

    public static TheoryData<string[], string[], int> Columns() => new()
    {
        { new[] { "A", "B", "C", "D", "E" }, new[] { "A", "B", "C", "D", "E" }, 1 }, // whole rows: one series tensor serves both
        { new[] { "C", "A", "D" }, new[] { "D", "B" }, 3 },                          // subsets, reordered, a target that is no input
    };

    [Theory]
    [MemberData(nameof(Columns))]
    public void Series_backed_and_copied_windows_give_bit_identical_batches_for_the_same_rows(string[] inputs, string[] targets, int stride)
    {
        var ml = new MLContext(seed: 1);
        IDataView windows = ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, GeneratedSeries.Create(300)), WindowOptions(inputs, targets, stride));
        var shapes = new SequenceShapes(inputs.Length, targets.Length, H, L);
        using var scope = torch.NewDisposeScope();
        using SequenceDataset series = SequenceDataReader.Read(windows, "Features", "Label", shapes, CPU, "windows");
        using SequenceDataset copied = SequenceDataReader.Read(windows, "Features", "Label", shapes, CPU, "windows", copyWindows: true);

        Assert.IsType<SeriesWindowStorage>(series.Storage);
        Assert.IsType<CopiedWindowStorage>(copied.Storage);
        Assert.Equal(copied.Count, series.Count);
        Assert.Equal(copied.Shape, series.Shape);
        Assert.Equal(copied.ValidLabelElements, series.ValidLabelElements);
        Assert.Null(series.FeatureSteps);
        Assert.Null(series.LabelSteps);

        long[] rows = ShuffledRows(series.Count, seed: 5).Take(37).Append(series.Count - 1).Append(0).ToArray();
        AssertSameBatch(copied.Rows(rows), series.Rows(rows));
        AssertSameBatch(copied.Range(3, 20), series.Range(3, 20));
        Assert.Null(series.LabelMask(rows));
        Assert.Null(series.FeatureLengths(rows));

        // The held-out split and the fingerprint read the storage through the same two calls.
        var (copiedHead, copiedTail) = copied.SplitLast(17, gap: 2);
        var (seriesHead, seriesTail) = series.SplitLast(17, gap: 2);
        Assert.IsType<SeriesWindowStorage>(seriesTail.Storage);
        AssertSameBatch(copiedTail.Range(0, 17), seriesTail.Range(0, 17));
        long[] headRows = ShuffledRows(seriesHead.Count, seed: 9).Take(25).ToArray();
        AssertSameBatch(copiedHead.Rows(headRows), seriesHead.Rows(headRows));
        Assert.Equal(RunIdentity.Fingerprint(copiedHead, copiedTail), RunIdentity.Fingerprint(seriesHead, seriesTail));
        seriesHead.Dispose();
        seriesTail.Dispose();
        // Slices are views: disposing them leaves the whole series readable.
        AssertSameBatch(copied.Rows(rows), series.Rows(rows));
        copiedHead.Dispose();
        copiedTail.Dispose();
    }

    [Fact]
    public void The_batches_hold_the_windows_the_view_serves_row_by_row()
    {
        // Independent of the copied storage: compare with what the view's cursor hands any ML.NET consumer.
        var ml = new MLContext(seed: 1);
        string[] inputs = { "B", "E" }, targets = { "A" };
        IDataView windows = ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, GeneratedSeries.Create(120)), WindowOptions(inputs, targets, 4));
        var expected = ml.Data.CreateEnumerable<WindowRow>(windows, reuseRowObject: false).ToArray();
        using var scope = torch.NewDisposeScope();
        using SequenceDataset series = SequenceDataReader.Read(windows, "Features", "Label", new SequenceShapes(inputs.Length, targets.Length, H, L), CPU, "windows");

        var (features, labels) = series.Range(0, series.Count);

        Assert.Equal(expected.Length, series.Count);
        Assert.Equal(expected.SelectMany(r => r.Features).ToArray(), features.data<float>().ToArray());
        Assert.Equal(expected.SelectMany(r => r.Label).ToArray(), labels.data<float>().ToArray());
    }

    [Fact]
    public void A_short_Fit_gives_bit_identical_weights_and_losses_on_either_storage()
    {
        var ml = new MLContext(seed: 1);
        string[] inputs = { "A", "B", "C" };
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(ml, GeneratedSeries.Create(320)),
            WindowOptions(inputs, inputs, 1), new ChronologicalSplit(220, 270, 320), standardize: true);

        Seq2SeqOptions Options() => new()
        {
            HiddenSize = 16, BatchSize = 24, MicroBatchSize = 10, MaxEpochs = 2, LearningRate = 1e-2, Seed = 3, Dropout = 0.1, TeacherForcingRatio = 0.5,
            LayerCount = 2, ValidationSet = split.Validation,
        };
        AssertSameTraining(ml, split.Train, Options);
    }

    [Fact]
    public void Channel_independent_segment_training_with_a_held_out_fraction_is_the_same_on_either_storage()
    {
        var ml = new MLContext(seed: 1);
        string[] inputs = { "A", "B", "C" };
        IDataView windows = ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, GeneratedSeries.Create(260)), WindowOptions(inputs, new[] { "C", "A" }, 2));

        Seq2SeqOptions Options() => new()
        {
            Family = NetworkFamily.SegmentRecurrent, FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 4 }, ChannelIndependent = true, InstanceNormalization = InstanceNormalization.Standardize,
            HiddenSize = 16, BatchSize = 16, MaxEpochs = 2, LearningRate = 1e-2, Seed = 4, ValidationFraction = 0.2,
        };
        AssertSameTraining(ml, windows, Options);
    }

    [Fact]
    public void A_checkpoint_written_on_copied_windows_resumes_exactly_on_the_series()
    {
        var ml = new MLContext(seed: 1);
        string[] inputs = { "A", "B", "D" };
        IDataView windows = ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, GeneratedSeries.Create(220)), WindowOptions(inputs, inputs, 1));
        using var folder = new TemporaryFolder();
        Seq2SeqOptions Options() => new()
        {
            HiddenSize = 16, BatchSize = 32, MaxEpochs = 4, LearningRate = 1e-2, Seed = 6, Dropout = 0.2, TeacherForcingRatio = 0.5, ValidationFraction = 0.2,
            EarlyStopping = { Patience = 20 },
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

        AssertIdenticalWeights(uninterrupted, continued);
        Assert.Equal(uninterrupted.TrainingHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss, e.LearningRate)),
            continued.TrainingHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss, e.LearningRate)));
    }

    [Fact]
    public void The_learning_rate_range_test_draws_the_same_curve_on_either_storage()
    {
        var ml = new MLContext(seed: 1);
        string[] inputs = { "A", "C" };
        IDataView windows = ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, GeneratedSeries.Create(200)), WindowOptions(inputs, inputs, 2));
        Seq2SeqOptions Options() => new() { HiddenSize = 16, BatchSize = 16, Seed = 8 };
        var sweep = new LearningRateRangeTestOptions { StartLearningRate = 1e-4, EndLearningRate = 1, StepCount = 12 };

        var fromSeries = ml.Regression.Trainers.FindSeq2SeqLearningRate(windows, Options(), sweep);
        var fromCopies = TrainingSwitches.With(() => ml.Regression.Trainers.FindSeq2SeqLearningRate(windows, Options(), sweep), copyWindows: true);

        Assert.Equal(12, fromSeries.Curve.Count);
        Assert.Equal(fromCopies.Curve, fromSeries.Curve);
    }

    [Fact]
    public void A_view_whose_columns_are_not_the_ones_asked_for_or_are_changed_by_a_transform_is_read_row_by_row()
    {
        var ml = new MLContext(seed: 1);
        IDataView windows = ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, GeneratedSeries.Create(80)),
            new SequenceWindowOptions { InputColumnNames = new[] { "A" }, InputLength = L, Horizon = H, TimestampColumnName = null, FeaturesColumnName = "X" });

        Assert.Same(windows, SequenceDataReader.SeriesBacked(windows, "X", "Label"));
        Assert.Null(SequenceDataReader.SeriesBacked(windows, "Features", "Label"));
        // Transforms that leave X and Label as they are: still the window view underneath.
        IDataView added = ml.Transforms.CopyColumns("Y", "X").Append(ml.Transforms.NormalizeMinMax("Y")).Fit(windows).Transform(windows);
        Assert.Same(windows, SequenceDataReader.SeriesBacked(added, "X", "Label"));
        // Transforms that replace X or Label, or hide the view: the values differ from the series, so they are copied.
        Assert.Null(SequenceDataReader.SeriesBacked(ml.Transforms.NormalizeMinMax("X").Fit(windows).Transform(windows), "X", "Label"));
        Assert.Null(SequenceDataReader.SeriesBacked(ml.Transforms.CopyColumns("Label", "Label").Fit(windows).Transform(windows), "X", "Label"));
        Assert.Null(SequenceDataReader.SeriesBacked(ml.Transforms.SelectColumns("X", "Label").Fit(windows).Transform(windows), "X", "Label"));
        Assert.Null(SequenceDataReader.SeriesBacked(ml.Transforms.CopyColumns("Z", "X").Fit(windows).Transform(ml.Data.SkipRows(windows, 5)), "X", "Label"));
    }

    [Fact]
    public void A_pipeline_that_adds_columns_before_the_trainer_still_trains_on_the_series_with_the_same_weights()
    {
        var ml = new MLContext(seed: 1);
        string[] inputs = { "A", "B" };
        IDataView windows = ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, GeneratedSeries.Create(200)), WindowOptions(inputs, inputs, 1));
        IDataView transformed = ml.Transforms.CopyColumns("FeaturesCopy", "Features").Fit(windows).Transform(windows);
        Seq2SeqOptions Options() => new() { HiddenSize = 16, BatchSize = 32, MaxEpochs = 1, LearningRate = 1e-2, Seed = 2 };

        using (TrainingSession session = TrainingSession.Open(ml, Options(), transformed, "test"))
            Assert.IsType<SeriesWindowStorage>(session.Train.Storage);
        using Seq2SeqTransformer fromPipeline = ml.Transforms.CopyColumns("FeaturesCopy", "Features").Append(ml.Regression.Trainers.Seq2Seq(Options())).Fit(windows).LastTransformer;
        using Seq2SeqTransformer fromCopies = TrainingSwitches.With(() => ml.Regression.Trainers.Seq2Seq(Options()).Fit(windows), copyWindows: true);

        AssertIdenticalWeights(fromCopies, fromPipeline);
    }

    [Fact]
    public void Many_interleaved_series_give_the_same_batches_and_weights_on_either_storage()
    {
        // Windows of several series (their starts jump from one series to the next) against the copied windows.
        var ml = new MLContext(seed: 1);
        int[] lengths = { 90, 61, 75 };
        SequenceWindowOptions options = LongFormSeries.Options(L, H, 2);
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsByFractions(ml.Data.LoadFromEnumerable(LongFormSeries.Interleaved(lengths)), options, 0.6, 0.2);
        var shapes = new SequenceShapes(2, 2, H, L);
        using (var scope = torch.NewDisposeScope())
        {
            using SequenceDataset series = SequenceDataReader.Read(split.Train, "Features", "Label", shapes, CPU, "windows");
            using SequenceDataset copied = SequenceDataReader.Read(split.Train, "Features", "Label", shapes, CPU, "windows", copyWindows: true);
            Assert.IsType<SeriesWindowStorage>(series.Storage);
            Assert.Equal(copied.Shape, series.Shape);
            long[] rows = ShuffledRows(series.Count, seed: 2).ToArray();
            AssertSameBatch(copied.Rows(rows), series.Rows(rows));
            AssertSameBatch(copied.Range(0, series.Count), series.Range(0, series.Count));
            var (copiedHead, copiedTail) = copied.SplitLast(9, gap: 1);
            var (seriesHead, seriesTail) = series.SplitLast(9, gap: 1);
            AssertSameBatch(copiedTail.Range(0, 9), seriesTail.Range(0, 9));
            AssertSameBatch(copiedHead.Rows(rows.Where(r => r < seriesHead.Count).ToArray()), seriesHead.Rows(rows.Where(r => r < seriesHead.Count).ToArray()));
            foreach (SequenceDataset part in new[] { copiedHead, copiedTail, seriesHead, seriesTail })
                part.Dispose();
        }

        Seq2SeqOptions Options() => new()
        {
            HiddenSize = 16, BatchSize = 16, MicroBatchSize = 7, MaxEpochs = 2, LearningRate = 1e-2, Seed = 3, Dropout = 0.1, TeacherForcingRatio = 0.5,
            ValidationSet = split.Validation,
        };
        AssertSameTraining(ml, split.Train, Options);
    }

    private static void AssertSameTraining(MLContext ml, IDataView train, Func<Seq2SeqOptions> options)
    {
        // The test proves something only if the two runs really read different storages.
        using (TrainingSession series = TrainingSession.Open(ml, options(), train, "test"))
        using (TrainingSession copied = TrainingSwitches.With(() => TrainingSession.Open(ml, options(), train, "test"), copyWindows: true))
        {
            Assert.IsType<SeriesWindowStorage>(series.Train.Storage);
            Assert.IsType<CopiedWindowStorage>(copied.Train.Storage);
            Assert.IsType<SeriesWindowStorage>(series.Validation!.Storage);
        }
        using Seq2SeqTransformer fromSeries = ml.Regression.Trainers.Seq2Seq(options()).Fit(train);
        using Seq2SeqTransformer fromCopies = TrainingSwitches.With(() => ml.Regression.Trainers.Seq2Seq(options()).Fit(train), copyWindows: true);

        AssertIdenticalWeights(fromCopies, fromSeries);
        Assert.Equal(fromCopies.TrainingHistory.Epochs.Select(e => (e.TrainLoss, e.ValidationLoss)),
            fromSeries.TrainingHistory.Epochs.Select(e => (e.TrainLoss, e.ValidationLoss)));
        Assert.All(fromSeries.TrainingHistory.Epochs, e => Assert.NotNull(e.ValidationLoss));
    }

    private static void AssertIdenticalWeights(Seq2SeqTransformer expected, Seq2SeqTransformer actual)
    {
        var a = TrainingTestKit.Weights(expected);
        var b = TrainingTestKit.Weights(actual);
        Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
        foreach (string name in a.Keys)
            Assert.True(TensorAssert.Identical(a[name], b[name]), $"weight '{name}' differs");
    }

    private static void AssertSameBatch((Tensor Features, Tensor Labels) expected, (Tensor Features, Tensor Labels) actual)
    {
        Assert.True(actual.Features.is_contiguous() && actual.Labels.is_contiguous());
        Assert.Equal(expected.Features.shape, actual.Features.shape);
        Assert.Equal(expected.Labels.shape, actual.Labels.shape);
        Assert.Equal(expected.Features.contiguous().bytes.ToArray(), actual.Features.bytes.ToArray());
        Assert.Equal(expected.Labels.contiguous().bytes.ToArray(), actual.Labels.bytes.ToArray());
    }

    private static long[] ShuffledRows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => (long)i).OrderBy(_ => random.Next()).ToArray();
    }

    private sealed class WindowRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
        public float[] Label { get; set; } = Array.Empty<float>();
    }
}
