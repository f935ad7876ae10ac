using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Training;

public sealed class AccumulationTests
{
    public static TheoryData<int[]> Splits() => new()
    {
        new[] { 32, 32, 32, 32, 32, 32, 32, 32 },
        new[] { 52, 52, 52, 50, 50 },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void Accumulation_gives_the_same_gradient_and_update_as_one_big_batch(int[] microBatches)
    {
        TorchRuntime.EnsureLoaded();
        var ml = new MLContext(seed: 1);
        var host = new MLNetHost(ml, "test");
        var rows = SyntheticSequences.Generate(256, seed: 13);
        using var data = Dataset(rows);
        long[] order = Enumerable.Range(0, 256).Select(i => (long)((i * 37) % 256)).ToArray();
        bool[] teacher = { true, false, true, false };

        var (wholeGradients, wholeUpdate) = OneStep(host, data, order, new[] { 256 }, teacher);
        var (splitGradients, splitUpdate) = OneStep(host, data, order, microBatches, teacher);
        var (summedGradients, summedUpdate) = OneStep(host, data, order, microBatches, teacher, naiveSum: true);

        // Relative to the whole vector: ‖a − b‖ / ‖b‖ over all parameters.
        double gradientError = TrainingTestKit.NormRelativeDifference(splitGradients, wholeGradients);
        double updateError = TrainingTestKit.NormRelativeDifference(splitUpdate, wholeUpdate);
        Assert.True(gradientError < 1e-5, $"gradients differ by {gradientError:G3}");
        Assert.True(updateError < 1e-5, $"updates differ by {updateError:G3}");
        // The seed's bug — summing the micro-batches' mean losses — multiplies the gradient; this test would see it,
        // and so would the update once Adam's moments are warm (its first step is nearly scale-free, hence the gradient check).
        Assert.True(TrainingTestKit.NormRelativeDifference(summedGradients, wholeGradients) > 1);
    }

    [Fact]
    public void An_epoch_of_700_rows_in_micro_batches_of_20_equals_the_unaccumulated_epoch()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(700, seed: 17));
        Seq2SeqOptions Options(int? micro)
        {
            var o = SyntheticSequences.SmallOptions(maxEpochs: 1);
            o.BatchSize = 64;
            o.MicroBatchSize = micro;
            o.LearningRate = 1e-3;
            return o;
        }

        using var whole = ml.Regression.Trainers.Seq2Seq(Options(null)).Fit(data);
        using var accumulated = ml.Regression.Trainers.Seq2Seq(Options(20)).Fit(data);

        Assert.Equal(11, accumulated.TrainingHistory.Epochs.Single().OptimizerSteps); // ceil(700 / 64): the last, shorter step counts
        double difference = TrainingTestKit.NormRelativeDifference(TrainingTestKit.Weights(accumulated), TrainingTestKit.Weights(whole));
        Assert.True(difference < 1e-5, $"weights differ by {difference:G3}");
        Assert.Equal(whole.TrainingHistory.Epochs.Single().TrainLoss, accumulated.TrainingHistory.Epochs.Single().TrainLoss, 1e-6);
    }

    [Fact]
    public void The_schedule_steps_once_per_optimizer_step_whatever_the_micro_batch()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(200, seed: 3));
        Seq2SeqOptions Options(int? micro)
        {
            var o = SyntheticSequences.SmallOptions(maxEpochs: 3);
            o.BatchSize = 50;
            o.MicroBatchSize = micro;
            return o;
        }

        using var whole = ml.Regression.Trainers.Seq2Seq(Options(null)).Fit(data);
        using var micro = ml.Regression.Trainers.Seq2Seq(Options(7)).Fit(data);

        var expected = new LearningRateScheduler(Options(null), 1e-2, totalSteps: 12);
        Assert.Equal(new[] { expected.RateAt(3), expected.RateAt(7), expected.RateAt(11) }, whole.TrainingHistory.Epochs.Select(e => e.LearningRate));
        Assert.Equal(whole.TrainingHistory.Epochs.Select(e => e.LearningRate), micro.TrainingHistory.Epochs.Select(e => e.LearningRate));
    }

    private static SequenceDataset Dataset(List<SyntheticSequences.Row> rows)
    {
        const int L = SyntheticSequences.InputLength, F = SyntheticSequences.FeatureCount, H = SyntheticSequences.Horizon;
        Tensor features = torch.tensor(rows.SelectMany(r => r.Features).ToArray(), new long[] { rows.Count, L, F });
        Tensor labels = torch.tensor(rows.SelectMany(r => r.Label).ToArray(), new long[] { rows.Count, H, F });
        return new SequenceDataset(features, labels);
    }

    private static (Dictionary<string, Tensor> Gradients, Dictionary<string, Tensor> Update) OneStep(
        MLNetHost host, SequenceDataset data, long[] order, int[] microBatches, bool[] teacher, bool naiveSum = false)
    {
        using var network = NetworkFactory.Create(new NetworkArchitecture(2, 2, 4, 16, 2, RecurrentCellType.Gru, false, AttentionKind.Additive, 0), seed: 5);
        network.train();
        using var runner = new OptimizerStepRunner(network, new PointLoss(LossFunction.MeanSquaredError, 1), 1e-2, 0.01, clipNorm: null, microBatchSize: 256, host, observer: null);
        using var scope = torch.NewDisposeScope();
        var before = network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        runner.AccumulateGradients(data, order, microBatches, teacher, epoch: 1);
        if (naiveSum)
            foreach (var p in network.parameters())
                p.grad!.mul_(microBatches.Length); // what summing the micro-batches' mean losses gives (equal sizes), as the seed's loop did
        var gradients = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone().DetachFromDisposeScope());
        runner.Optimizer.Step();
        var update = network.state_dict().ToDictionary(kv => kv.Key, kv => (kv.Value.detach() - before[kv.Key]).DetachFromDisposeScope());
        return (gradients, update);
    }
}
