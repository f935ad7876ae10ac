using System;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.ChildProcess;
using Xunit;

namespace MLNetSeq2Seq.Tests;

public sealed class Seq2SeqTransformerTests
{
    internal const int ScoringRowCount = 40;
    internal const int ScoringDataSeed = 21;

    [Fact]
    public void A_normalizer_and_Seq2Seq_pipeline_loads_in_a_fresh_process_and_scores_identically()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(160, seed: 4));
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 3);
        options.FamilyOptions = new AutoregressiveOptions { Attention = AttentionKind.Additive };
        options.Cell = RecurrentCellType.Lstm;
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.Regression.Trainers.Seq2Seq(options));
        using var folder = new TemporaryFolder();
        string path = folder.File("pipeline.zip");

        var model = pipeline.Fit(train);
        float[] expected = Scores(ml, model);
        ml.Model.Save(model, train.Schema, path);
        model.LastTransformer.Dispose();

        var child = ChildProcessRunner.Run(TimeSpan.FromMinutes(2), "score-seq2seq-model", path);
        Assert.True(child.ExitCode == 0, "child failed: " + child.StandardError);
        float[] actual = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6, $"score {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void PredictionEngine_matches_Transform_for_the_trained_and_the_loaded_model()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticSequences.Generate(120, seed: 8);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 2);
        options.FamilyOptions = new AutoregressiveOptions { Attention = AttentionKind.Dot, Bidirectional = true };
        using Seq2SeqTransformer trained = ml.Regression.Trainers.Seq2Seq(options).Fit(data);
        using var folder = new TemporaryFolder();
        ml.Model.Save(trained, data.Schema, folder.File("model.zip"));
        var loadedModel = ml.Model.Load(folder.File("model.zip"), out _);

        foreach (ITransformer model in new[] { trained, loadedModel })
        {
            float[][] batched = model.Transform(data).GetColumn<float[]>("Score").ToArray();
            using var engine = ml.Model.CreatePredictionEngine<SyntheticSequences.Row, ScoreRow>(model);
            for (int i = 0; i < rows.Count; i += 7)
            {
                float[] single = engine.Predict(rows[i]).Score;
                Assert.Equal(batched[i].Length, single.Length);
                for (int j = 0; j < single.Length; j++)
                    Assert.True(Math.Abs(batched[i][j] - single[j]) <= 1e-5, $"row {i} value {j}: {batched[i][j]} vs {single[j]}");
            }
        }
        ((IDisposable)loadedModel).Dispose();
    }

    [Fact]
    public void Residual_decoding_is_saved_with_the_architecture_and_changes_what_the_network_computes()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(60, seed: 8));
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: 1);
        options.FamilyOptions = new AutoregressiveOptions { ResidualDecoding = true };
        using var residual = ml.Regression.Trainers.Seq2Seq(options).Fit(data);
        options.FamilyOptions = new AutoregressiveOptions { ResidualDecoding = false };
        using var plain = ml.Regression.Trainers.Seq2Seq(options).Fit(data);
        using var folder = new TemporaryFolder();
        ml.Model.Save(residual, data.Schema, folder.File("residual.zip"));

        var loaded = (Seq2SeqTransformer)ml.Model.Load(folder.File("residual.zip"), out _);

        Assert.True(loaded.Network.Architecture.ResidualDecoding);
        Assert.Equal(residual.TrainingHistory.PeakLearningRate, loaded.TrainingHistory.PeakLearningRate);
        Assert.Equal(residual.TrainingHistory.Epochs, loaded.TrainingHistory.Epochs);
        Assert.Equal(Scores(ml, residual), Scores(ml, loaded));
        Assert.NotEqual(Scores(ml, residual), Scores(ml, plain)); // same seed, same data: only the decoding differs
        loaded.Dispose();
    }

    [Fact]
    public void The_score_column_is_shaped_horizon_by_output_features()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(40, seed: 8));
        using var model = ml.Regression.Trainers.Seq2Seq(SyntheticSequences.SmallOptions(maxEpochs: 1)).Fit(data);

        var type = Assert.IsType<VectorDataViewType>(model.GetOutputSchema(data.Schema)["Score"].Type);
        Assert.Equal(new[] { SyntheticSequences.Horizon, SyntheticSequences.FeatureCount }, type.Dimensions.ToArray());
        Assert.Equal(NumberDataViewType.Single, type.ItemType);
    }

    [Fact]
    public void Dispose_is_idempotent_and_use_after_dispose_throws()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(40, seed: 8));
        var model = ml.Regression.Trainers.Seq2Seq(SyntheticSequences.SmallOptions(maxEpochs: 1)).Fit(data);

        model.Dispose();
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Transform(data));
    }

    internal static float[] Scores(MLContext ml, ITransformer model)
    {
        IDataView rows = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(ScoringRowCount, ScoringDataSeed));
        return model.Transform(rows).GetColumn<float[]>("Score").SelectMany(v => v).ToArray();
    }

    public sealed class ScoreRow
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void The_largest_inference_batch_size_costs_memory_only_for_the_rows_that_arrive()
    {
        // A model file may claim an inference batch size up to 2^20 rows; five rows must not allocate buffers for all of them
        // (2^20 × (12 × 2 features + 4 × 2 scores) floats would be 128 MiB).
        var ml = new MLContext(seed: 1);
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(SyntheticSequences.SmallOptions(maxEpochs: 1))
            .Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(32, seed: 3)));
        IDataView test = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(5, seed: 7));
        float[] Scores() => model.Transform(test).GetColumn<float[]>("Score").SelectMany(v => v).ToArray();
        float[] expected = Scores();
        model.InferenceBatchSize = Seq2SeqOptions.MaxInferenceBatchSize;

        Scores(); // warm: the first call at a new size may build caches unrelated to the block
        long before = GC.GetAllocatedBytesForCurrentThread();
        float[] actual = Scores();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(expected, actual);
        Assert.True(allocated < 16L << 20, $"scoring 5 rows at batch size {model.InferenceBatchSize} allocated {allocated / (1 << 20)} MiB");
    }
}
