using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

public sealed class CheckpointTests
{
    private static Seq2SeqOptions Options(int maxEpochs, NetworkFamily family = NetworkFamily.AutoregressiveEncoderDecoder)
    {
        var options = SyntheticSequences.SmallOptions(maxEpochs);
        if (family == NetworkFamily.Linear)
        {
            // The lookback-shaped family: its architecture (with the lookback) is part of the checkpoint's identity.
            options.Family = NetworkFamily.Linear;
            options.InstanceNormalization = InstanceNormalization.SubtractLast;
            options.ChannelIndependent = true;
        }
        if (family == NetworkFamily.PatchTransformer)
        {
            // The attention family: its own architecture fields are part of the checkpoint's identity, and its dropout
            // masks part of the state.
            options.Family = NetworkFamily.PatchTransformer;
            options.FamilyOptions = new PatchTransformerOptions { PatchLength = 4, PatchStride = 2, ModelSize = 8, HeadCount = 2, LayerCount = 2, FeedForwardSize = 16 };
            options.InstanceNormalization = InstanceNormalization.Standardize;
            options.ChannelIndependent = true;
        }
        if (family == NetworkFamily.SegmentRecurrent)
        {
            // The forecasting pieces: their parameters (channel embedding, affine) and RNG use are part of the state too.
            options.Family = NetworkFamily.SegmentRecurrent;
            options.FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 5 };
            options.InstanceNormalization = InstanceNormalization.Standardize;
            options.InstanceNormalizationAffine = true;
            options.ChannelIndependent = true;
            options.Loss = LossFunction.Huber;
            options.AmplitudeAugmentation = 3; // its factors are drawn per step: a resumed run must draw the same ones
        }
        options.Dropout = 0.2;           // dropout and teacher forcing make the RNG part of the state
        options.LayerCount = 2;
        options.TeacherForcingRatio = 0.5;
        options.MicroBatchSize = 12;
        options.ValidationFraction = 0.2;
        options.EarlyStopping.Patience = 20;
        options.Schedule.Kind = LearningRateSchedule.ReduceOnPlateau;
        options.Schedule.PlateauPatience = 1;
        return options;
    }

    [Theory]
    [InlineData(NetworkFamily.AutoregressiveEncoderDecoder)]
    [InlineData(NetworkFamily.SegmentRecurrent)]
    [InlineData(NetworkFamily.Linear)]
    [InlineData(NetworkFamily.PatchTransformer)]
    public void A_run_stopped_after_epoch_3_and_resumed_ends_with_the_weights_of_the_uninterrupted_run(NetworkFamily family)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(160, seed: 31));
        using var folder = new TemporaryFolder();

        using var uninterrupted = ml.Regression.Trainers.Seq2Seq(Options(6, family)).Fit(data);

        var interrupted = Options(6, family);
        interrupted.Checkpoints = new() { Directory = folder.Path };
        interrupted.Progress = new TrainingTestKit.SynchronousProgress<EpochSummary>(e => { if (e.Epoch == 3) ml.CancelExecution(); });
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Regression.Trainers.Seq2Seq(interrupted).Fit(data));
        Assert.Equal(new[] { "seq2seq-checkpoint.bin" }, Directory.GetFiles(folder.Path).Select(Path.GetFileName));

        var fresh = new MLContext(seed: 1);
        var resumed = Options(6, family);
        resumed.Checkpoints = new() { ResumeFrom = folder.Path };
        using var continued = fresh.Regression.Trainers.Seq2Seq(resumed).Fit(fresh.Data.LoadFromEnumerable(SyntheticSequences.Generate(160, seed: 31)));

        double difference = TrainingTestKit.NormRelativeDifference(TrainingTestKit.Weights(continued), TrainingTestKit.Weights(uninterrupted));
        Assert.True(difference < 1e-6, $"weights differ by {difference:G3}");
        Assert.Equal(uninterrupted.TrainingHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss, e.LearningRate)),
            continued.TrainingHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss, e.LearningRate)));
        Assert.Equal(uninterrupted.TrainingHistory.BestEpoch, continued.TrainingHistory.BestEpoch);
    }

    [Fact]
    public void A_run_that_had_stopped_early_resumes_to_its_kept_weights_without_training_another_epoch()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(160, seed: 31));
        using var folder = new TemporaryFolder();
        var options = Options(6);
        options.EarlyStopping.Patience = 1;
        options.EarlyStopping.MinDelta = 1e6; // no epoch after the first counts as an improvement: it stops after epoch 2
        options.Checkpoints = new() { Directory = folder.Path };
        using var finished = ml.Regression.Trainers.Seq2Seq(options).Fit(data);
        Assert.True(finished.TrainingHistory.StoppedEarly);
        Assert.Equal(2, finished.TrainingHistory.Epochs.Count);

        var resumed = Options(6);
        resumed.EarlyStopping.Patience = 1;
        resumed.EarlyStopping.MinDelta = 1e6;
        resumed.Checkpoints = new() { ResumeFrom = folder.Path };
        var epochs = new System.Collections.Generic.List<EpochSummary>();
        resumed.Progress = new TrainingTestKit.SynchronousProgress<EpochSummary>(epochs.Add);
        using var continued = ml.Regression.Trainers.Seq2Seq(resumed).Fit(data);

        Assert.Empty(epochs);
        Assert.True(continued.TrainingHistory.StoppedEarly);
        Assert.Equal(finished.TrainingHistory.BestEpoch, continued.TrainingHistory.BestEpoch);
        Assert.Equal(finished.TrainingHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)), continued.TrainingHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)));
        double difference = TrainingTestKit.NormRelativeDifference(TrainingTestKit.Weights(continued), TrainingTestKit.Weights(finished));
        Assert.True(difference == 0, $"weights differ by {difference:G3}");
    }

    [Fact]
    public void Resuming_a_checkpoint_of_another_run_is_refused()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(80, seed: 31));
        using var folder = new TemporaryFolder();
        var first = Options(1);
        first.Checkpoints = new() { Directory = folder.Path };
        using (ml.Regression.Trainers.Seq2Seq(first).Fit(data)) { }

        var other = Options(1);
        other.Seed = 99;
        other.Checkpoints = new() { ResumeFrom = Path.Combine(folder.Path, "seq2seq-checkpoint.bin") };
        var error = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(other).Fit(data));
        Assert.Contains("another run", error.Message);
    }

    [Theory]
    [InlineData("LearningRate", "LearningRate: ")]
    [InlineData("WeightDecay", "WeightDecay: ")]
    [InlineData("Schedule", "Schedule.Kind: ")]
    [InlineData("Loss", "Loss: ")]
    [InlineData("TeacherForcingRatio", "TeacherForcingRatio: ")]
    [InlineData("AmplitudeAugmentation", "AmplitudeAugmentation: ")]
    [InlineData("data", "data (a fingerprint")]
    public void Resuming_with_other_training_options_or_other_data_is_refused_naming_what_differs(string change, string named)
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticSequences.Generate(80, seed: 31);
        using var folder = new TemporaryFolder();
        var first = Options(1);
        first.Checkpoints = new() { Directory = folder.Path };
        using (ml.Regression.Trainers.Seq2Seq(first).Fit(ml.Data.LoadFromEnumerable(rows))) { }

        var other = Options(1);
        other.Checkpoints = new() { ResumeFrom = folder.Path };
        switch (change)
        {
            case "LearningRate": other.LearningRate = 0.0123; break;
            case "WeightDecay": other.WeightDecay = first.WeightDecay + 0.1; break;
            case "Schedule": other.Schedule.Kind = first.Schedule.Kind == LearningRateSchedule.Constant ? LearningRateSchedule.OneCycle : LearningRateSchedule.Constant; break;
            case "Loss": other.Loss = LossFunction.MeanAbsoluteError; break;
            case "TeacherForcingRatio": other.TeacherForcingRatio = first.TeacherForcingRatio / 2 + 0.1; break;
            case "AmplitudeAugmentation": other.AmplitudeAugmentation = 2; break;
            case "data": rows[0].Features[5] += 1; break; // one value of the first row: the same row count and shapes
        }
        var error = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(other).Fit(ml.Data.LoadFromEnumerable(rows)));

        Assert.Equal("Checkpoints.ResumeFrom", error.ParamName);
        Assert.Contains("another run, " + named, error.Message);
    }

    [Theory]
    [InlineData("levels", "network: ")]
    [InlineData("PointLossWeight", "Quantiles.PointLossWeight: 1 in the checkpoint, 0.5 in this run")]
    public void Resuming_a_quantile_run_checks_its_levels_and_point_loss_weight(string change, string named)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(80, seed: 31));
        using var folder = new TemporaryFolder();
        var first = Options(1);
        first.Quantiles = new() { Levels = new[] { 0.1, 0.5, 0.9 } };
        first.Checkpoints = new() { Directory = folder.Path };
        using (ml.Regression.Trainers.Seq2Seq(first).Fit(data)) { }

        var other = Options(1);
        other.Quantiles = new()
        {
            Levels = change == "levels" ? new[] { 0.2, 0.5, 0.8 } : new[] { 0.1, 0.5, 0.9 },
            PointLossWeight = change == "PointLossWeight" ? 0.5 : 1,
        };
        other.Checkpoints = new() { ResumeFrom = folder.Path };
        var error = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(other).Fit(data));

        Assert.Contains("another run, " + named, error.Message);
        if (change == "levels")
            Assert.Contains("quantiles=[0.1,0.5,0.9] in the checkpoint", error.Message);
    }

    // Written by the release before the library's own AdamW (commit 59e482a, checkpoint format 6): OldReleaseRun stopped
    // after epoch 2 of 4. Its optimizer block is TorchSharp's AdamW state (save_state_dict), which this release reads.
    private const string TorchSharpOptimizerFixture = "checkpoint-format-6-torchsharp-adamw.bin";

    private static Seq2SeqOptions OldReleaseRun()
    {
        var options = Options(4);
        options.HiddenSize = 8;
        options.LayerCount = 1;
        return options;
    }

    [Fact]
    public void A_checkpoint_whose_optimizer_state_TorchSharp_wrote_resumes_to_the_weights_of_the_uninterrupted_run()
    {
        string fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", TorchSharpOptimizerFixture);
        byte[] optimizerBlock = MLNetSeq2Seq.Training.TrainingCheckpoint.ReadFrom(fixture).OptimizerState;
        Assert.Equal("AdamW", new BinaryReader(new MemoryStream(optimizerBlock)).ReadString()); // TorchSharp's block, not the own format
        var ml = new MLContext(seed: 1);
        using var uninterrupted = ml.Regression.Trainers.Seq2Seq(OldReleaseRun()).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(160, seed: 31)));
        using var folder = new TemporaryFolder();
        File.Copy(fixture, folder.File("seq2seq-checkpoint.bin"));

        var fresh = new MLContext(seed: 1);
        var resumed = OldReleaseRun();
        resumed.Checkpoints = new() { ResumeFrom = folder.Path };
        using var continued = fresh.Regression.Trainers.Seq2Seq(resumed).Fit(fresh.Data.LoadFromEnumerable(SyntheticSequences.Generate(160, seed: 31)));

        // The first two epochs ran on the machine that wrote the fixture: another CPU may round differently in the last
        // bits, hence a tolerance (here both match bit for bit). Resuming with fresh moments instead misses by 8e-2.
        double difference = TrainingTestKit.NormRelativeDifference(TrainingTestKit.Weights(continued), TrainingTestKit.Weights(uninterrupted));
        Assert.True(difference < 1e-5, $"weights differ by {difference:G3}");
        Assert.Equal(uninterrupted.TrainingHistory.Epochs.Select(e => e.Epoch), continued.TrainingHistory.Epochs.Select(e => e.Epoch));
        foreach (var (expected, actual) in uninterrupted.TrainingHistory.Epochs.Zip(continued.TrainingHistory.Epochs))
        {
            Assert.Equal(expected.TrainLoss, actual.TrainLoss, 1e-5 * Math.Abs(expected.TrainLoss));
            Assert.Equal(expected.LearningRate, actual.LearningRate, 1e-12);
        }
    }

    [Fact]
    public void A_damaged_checkpoint_is_reported_not_crashed_on()
    {
        var ml = new MLContext(seed: 1);
        using var folder = new TemporaryFolder();
        File.WriteAllBytes(folder.File("seq2seq-checkpoint.bin"), new byte[] { 1, 2, 3 });
        var options = Options(1);
        options.Checkpoints = new() { ResumeFrom = folder.Path };

        var error = Assert.Throws<InvalidDataException>(() => ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(40, seed: 1))));
        Assert.Contains("not a readable Seq2Seq checkpoint", error.Message);
    }
}
