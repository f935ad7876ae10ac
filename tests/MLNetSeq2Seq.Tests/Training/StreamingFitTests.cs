using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Columns;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

/// <summary>Streaming Fit (Seq2SeqOptions.Streaming): every row once per epoch, the in-memory result when the pool holds
/// everything, the same weights run to run, exact resume, and checkpoints that do not cross between the two kinds.</summary>
public sealed class StreamingFitTests
{
    private static Seq2SeqOptions Options(int maxEpochs, int? poolRows)
    {
        var options = SyntheticSequences.SmallOptions(maxEpochs);
        options.Dropout = 0.2;            // dropout and teacher forcing make the RNG part of the result
        options.LayerCount = 2;
        options.TeacherForcingRatio = 0.5;
        options.MicroBatchSize = 12;
        options.EarlyStopping.Patience = 20;
        options.Schedule.Kind = LearningRateSchedule.ReduceOnPlateau;
        options.Schedule.PlateauPatience = 1;
        options.Streaming = poolRows is int rows ? new() { ShufflePoolRows = rows } : null;
        return options;
    }

    /// <summary>Rows whose first feature value is their number, so an epoch's visits can be counted from the batches.</summary>
    private static List<SyntheticSequences.Row> Numbered(int count)
    {
        var rows = SyntheticSequences.Generate(count, seed: 5);
        for (int i = 0; i < rows.Count; i++)
            rows[i].Features[0] = i;
        return rows;
    }

    private static List<int> VisitedRows(ISequenceRows rows, int batchSize, int seed, int epoch, List<int>? batchSizes = null)
    {
        var visited = new List<int>();
        foreach (var (data, batchRows) in rows.Epoch(batchSize, seed, epoch))
        {
            using var scope = torch.NewDisposeScope();
            batchSizes?.Add(batchRows.Length);
            var (features, _) = data.Rows(batchRows.Span);
            float[] values = features.select(2, 0).select(1, 0).data<float>().ToArray();
            visited.AddRange(values.Select(v => (int)v));
        }
        return visited;
    }

    private static StreamedSequenceRows Streamed(IDataView data, int poolRows)
    {
        var shapes = SequenceShapes.Resolve(data.Schema, new Seq2SeqOptions());
        StreamedView view = StreamedView.Scan(data, "Features", "Label", shapes, "Training data", NonFiniteRowHandling.Throw, host: null);
        return new StreamedSequenceRows(view, 0, (int)view.KeptRows, poolRows, torch.CPU);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(102)]
    public void A_pool_smaller_than_the_data_visits_every_row_exactly_once_per_epoch_in_a_seeded_order(int poolRows)
    {
        const int count = 103, batch = 8;
        IDataView data = new MLContext(seed: 1).Data.LoadFromEnumerable(Numbered(count));
        var rows = Streamed(data, poolRows);

        var sizes = new List<int>();
        List<int> first = VisitedRows(rows, batch, seed: 7, epoch: 1, sizes);
        Assert.Equal(Enumerable.Range(0, count), first.OrderBy(r => r));
        Assert.Equal(EpochPlan.StepsPerEpoch(count, batch), sizes.Count);
        Assert.All(sizes.Take(sizes.Count - 1), s => Assert.Equal(batch, s));
        // A row can come out earlier than its place in the data by at most the pool size, never more.
        for (int place = 0; place < first.Count; place++)
            Assert.True(place >= first[place] - poolRows, $"row {first[place]} came out at place {place} with a pool of {poolRows}");

        Assert.Equal(first, VisitedRows(rows, batch, seed: 7, epoch: 1));
        List<int> second = VisitedRows(rows, batch, seed: 7, epoch: 2);
        Assert.Equal(Enumerable.Range(0, count), second.OrderBy(r => r));
        if (poolRows > 1)
        {
            Assert.NotEqual(first, second);
            Assert.NotEqual(Enumerable.Range(0, count), first);
        }
    }

    [Fact]
    public void A_pool_holding_every_row_visits_them_in_the_in_memory_order()
    {
        const int count = 50, batch = 8;
        IDataView data = new MLContext(seed: 1).Data.LoadFromEnumerable(Numbered(count));
        List<int> visited = VisitedRows(Streamed(data, poolRows: count), batch, seed: 3, epoch: 4);
        Assert.Equal(EpochPlan.Create(count, batch, seed: 3, epoch: 4).Order.Select(r => (int)r), visited);
    }

    [Theory]
    [InlineData("ValidationFraction")]
    [InlineData("ValidationFractionWithGap")] // the held-out rows continue the training cursor past the gap
    [InlineData("ValidationSet")]
    public void Streaming_with_a_pool_holding_every_row_gives_the_in_memory_weights_and_history(string validation)
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticSequences.Generate(150, seed: 31);
        rows[17].Label[3] = float.NaN; // dropped by both paths (NonFiniteRows = Skip): the streamed row numbering must skip it too
        var validationRows = SyntheticSequences.Generate(40, seed: 32);
        Seq2SeqOptions Configure(int? pool)
        {
            var options = Options(maxEpochs: 3, pool);
            options.NonFiniteRows = NonFiniteRowHandling.Skip;
            if (validation == "ValidationSet")
                options.ValidationSet = ml.Data.LoadFromEnumerable(validationRows);
            else
                options.ValidationFraction = 0.2;
            if (validation == "ValidationFractionWithGap")
                options.ValidationGapRows = 5;
            return options;
        }

        using var inMemory = ml.Regression.Trainers.Seq2Seq(Configure(null)).Fit(ml.Data.LoadFromEnumerable(rows));
        using var streamed = ml.Regression.Trainers.Seq2Seq(Configure(1000)).Fit(ml.Data.LoadFromEnumerable(rows));

        Assert.Equal(0, TrainingTestKit.MaxRelativeDifference(TrainingTestKit.Weights(streamed), TrainingTestKit.Weights(inMemory)));
        Assert.Equal(inMemory.TrainingHistory.Epochs.Select(e => (e.TrainLoss, e.ValidationLoss)), streamed.TrainingHistory.Epochs.Select(e => (e.TrainLoss, e.ValidationLoss)));
        Assert.All(streamed.TrainingHistory.Epochs, e => Assert.NotNull(e.ValidationLoss));
    }

    [Fact]
    public void Streaming_from_a_binary_file_gives_the_same_weights_run_to_run_and_another_seed_other_weights()
    {
        using var folder = new TemporaryFolder();
        var ml = new MLContext(seed: 1);
        string path = folder.File("windows.idv");
        using (var stream = File.Create(path))
            ml.Data.SaveAsBinary(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(150, seed: 31)), stream);

        Dictionary<string, torch.Tensor> Train(int seed)
        {
            var context = new MLContext(seed: 1);
            var options = Options(maxEpochs: 2, poolRows: 16);
            options.ValidationFraction = 0.2;
            options.Seed = seed;
            using var model = context.Regression.Trainers.Seq2Seq(options).Fit(context.Data.LoadFromBinary(path));
            return TrainingTestKit.Weights(model);
        }

        var first = Train(seed: 1);
        Assert.Equal(0, TrainingTestKit.MaxRelativeDifference(Train(seed: 1), first));
        Assert.True(TrainingTestKit.MaxRelativeDifference(Train(seed: 2), first) > 1e-3);
    }

    [Fact]
    public void A_streamed_run_stopped_after_epoch_2_and_resumed_ends_with_the_weights_of_the_uninterrupted_run()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(150, seed: 31));
        using var folder = new TemporaryFolder();
        Seq2SeqOptions Configure()
        {
            var options = Options(maxEpochs: 4, poolRows: 20);
            options.ValidationFraction = 0.2;
            return options;
        }

        using var uninterrupted = ml.Regression.Trainers.Seq2Seq(Configure()).Fit(data);

        var interrupted = Configure();
        interrupted.Checkpoints = new() { Directory = folder.Path };
        interrupted.Progress = new TrainingTestKit.SynchronousProgress<EpochSummary>(e => { if (e.Epoch == 2) ml.CancelExecution(); });
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Regression.Trainers.Seq2Seq(interrupted).Fit(data));

        var fresh = new MLContext(seed: 1);
        var resumed = Configure();
        resumed.Checkpoints = new() { ResumeFrom = folder.Path };
        using var continued = fresh.Regression.Trainers.Seq2Seq(resumed).Fit(fresh.Data.LoadFromEnumerable(SyntheticSequences.Generate(150, seed: 31)));

        Assert.Equal(0, TrainingTestKit.MaxRelativeDifference(TrainingTestKit.Weights(continued), TrainingTestKit.Weights(uninterrupted)));
        Assert.Equal(uninterrupted.TrainingHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)),
            continued.TrainingHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)));
    }

    [Theory]
    [InlineData(null, 20, "Streaming.ShufflePoolRows: absent in the checkpoint, 20 in this run")]
    [InlineData(20, null, "Streaming.ShufflePoolRows: 20 in the checkpoint, absent in this run")]
    [InlineData(20, 30, "Streaming.ShufflePoolRows: 20 in the checkpoint, 30 in this run")]
    public void A_checkpoint_resumes_only_with_the_same_streaming_setting(int? written, int? resumedWith, string named)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(80, seed: 31));
        using var folder = new TemporaryFolder();
        var first = Options(maxEpochs: 1, written);
        first.Checkpoints = new() { Directory = folder.Path };
        using (ml.Regression.Trainers.Seq2Seq(first).Fit(data)) { }

        var other = Options(maxEpochs: 1, resumedWith);
        other.Checkpoints = new() { ResumeFrom = folder.Path };
        var error = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(other).Fit(data));
        Assert.Equal("Checkpoints.ResumeFrom", error.ParamName);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Streaming_options_and_data_it_cannot_stream_are_refused_with_the_option_named()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(40, seed: 31));

        var zeroPool = Options(1, poolRows: 0);
        Assert.Equal("Streaming.ShufflePoolRows",
            Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Seq2Seq(zeroPool).Fit(data)).ParamName);

        var rangeTest = Options(1, poolRows: 10);
        rangeTest.LearningRate = null;
        var error = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(rangeTest).Fit(data));
        Assert.Equal(nameof(Seq2SeqOptions.LearningRate), error.ParamName);
        Assert.Contains("range test", error.Message);

        // Variable-length features: a column without a fixed size.
        IDataView variable = ml.Data.LoadFromEnumerable(new[] { new VariableRow { Features = new float[24], Label = new float[8] } });
        var streaming = Options(1, poolRows: 10);
        streaming.InputFeatureCount = 2;
        var shapeError = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(streaming).Fit(variable));
        Assert.Equal(nameof(Seq2SeqOptions.Streaming), shapeError.ParamName);
        Assert.Contains("feature column 'Features'", shapeError.Message);

        // Known-future inputs are read in memory only.
        var future = Options(1, poolRows: 10);
        future.FutureFeatureColumnName = "FutureFeatures";
        var futureError = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(future).Fit(data));
        Assert.Equal(nameof(Seq2SeqOptions.Streaming), futureError.ParamName);
        Assert.Contains("FutureFeatureColumnName", futureError.Message);
    }

    private sealed class VariableRow
    {
        [Microsoft.ML.Data.VectorType]
        public float[] Features { get; set; } = Array.Empty<float>();

        [Microsoft.ML.Data.VectorType(4, 2)]
        public float[] Label { get; set; } = Array.Empty<float>();
    }
}
