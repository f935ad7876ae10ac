using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Data;

[Collection(GlobalTorchGenerator.Name)]
public sealed class VariableLengthTests
{
    internal const int FeatureCount = 2, Horizon = 4, Delay = 6;

    /// <summary>Rows of 6 to 14 steps; the label is a scaled copy of the steps Delay..Delay−H before each row's end.</summary>
    public sealed class MixedRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        [VectorType(Horizon * FeatureCount)]
        public float[] Label { get; set; } = Array.Empty<float>();
    }

    public static List<MixedRow> Generate(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int length = random.Next(6, 15);
            double phase = random.NextDouble() * 6.28, frequency = 0.3 + random.NextDouble() * 0.5;
            float[] x = Enumerable.Range(0, length * FeatureCount).Select(i => (float)Math.Sin(frequency * (i / FeatureCount) + phase + i % FeatureCount)).ToArray();
            float[] y = Enumerable.Range(0, Horizon * FeatureCount).Select(i => 0.8f * x[(length - Delay + i / FeatureCount) * FeatureCount + i % FeatureCount]).ToArray();
            return new MixedRow { Features = x, Label = y };
        }).ToList();
    }

    public static TheoryData<RecurrentCellType, AttentionKind, bool> Architectures()
    {
        var data = new TheoryData<RecurrentCellType, AttentionKind, bool>();
        foreach (RecurrentCellType cell in Enum.GetValues<RecurrentCellType>())
            foreach (AttentionKind attention in Enum.GetValues<AttentionKind>())
                foreach (bool bidirectional in new[] { false, true })
                    data.Add(cell, attention, bidirectional);
        return data;
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void A_short_sequence_predicts_the_same_padded_among_long_ones_as_alone(RecurrentCellType cell, AttentionKind attention, bool bidirectional)
    {
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(8);
        using var network = NetworkFactory.Create(new NetworkArchitecture(FeatureCount, 3, Horizon, 8, 2, cell, bidirectional, attention, 0));
        network.eval();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        long[] lengths = { 9, 3, 6, 1 };
        Tensor padded = torch.randn(4, 9, FeatureCount);
        for (int row = 0; row < 4; row++)
            padded[row, (int)lengths[row]..] = torch.full(new long[] { 9 - lengths[row], FeatureCount }, 1e3f); // garbage in the padding

        Tensor batched = network.Forward(padded, lengths: torch.tensor(lengths));
        for (int row = 0; row < 4; row++)
        {
            Tensor alone = network.Forward(padded[row..(row + 1), ..(int)lengths[row], ..].contiguous());
            Assert.True(torch.allclose(alone[0], batched[row], rtol: 1e-5, atol: 1e-6), $"row {row} (length {lengths[row]}) depends on its batch");
        }
    }

    [Fact]
    public void A_model_trained_on_mixed_lengths_learns_and_scores_short_rows_alike_alone_or_mixed()
    {
        var ml = new MLContext(seed: 1);
        var train = Generate(500, seed: 1);
        var test = Generate(120, seed: 2);
        var options = new Seq2SeqOptions { InputFeatureCount = FeatureCount, Horizon = Horizon, HiddenSize = 32, BatchSize = 32, MaxEpochs = 25, LearningRate = 1e-2, Seed = 1, FamilyOptions = new AutoregressiveOptions { Attention = AttentionKind.Dot } };

        using var model = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(train));

        var metrics = ml.Regression.EvaluateSequence(model.Transform(ml.Data.LoadFromEnumerable(test)));
        double meanPredictor = test.SelectMany(r => r.Label).Select(v => (double)v).Aggregate((0.0, 0.0, 0), (a, v) => (a.Item1 + v, a.Item2 + v * v, a.Item3 + 1), a => a.Item2 / a.Item3 - Math.Pow(a.Item1 / a.Item3, 2));
        Assert.True(metrics.MeanSquaredError < 0.2 * meanPredictor, $"MSE {metrics.MeanSquaredError:G3} vs label variance {meanPredictor:G3}");

        var shortRows = test.Where(r => r.Features.Length / FeatureCount <= 8).ToList();
        float[][] mixed = model.Transform(ml.Data.LoadFromEnumerable(test)).GetColumn<float[]>("Score").ToArray();
        float[][] alone = model.Transform(ml.Data.LoadFromEnumerable(shortRows)).GetColumn<float[]>("Score").ToArray();
        var mixedShort = test.Select((r, i) => (r, i)).Where(p => p.r.Features.Length / FeatureCount <= 8).Select(p => mixed[p.i]).ToList();
        Assert.NotEmpty(shortRows);
        for (int i = 0; i < alone.Length; i++)
            for (int j = 0; j < alone[i].Length; j++)
                Assert.True(Math.Abs(alone[i][j] - mixedShort[i][j]) <= 1e-5, $"short row {i} value {j}");
    }

    [Fact]
    public void Padded_label_steps_never_count_and_accumulation_weights_by_valid_elements()
    {
        TorchRuntime.EnsureLoaded();
        var host = new MLNetSeq2Seq.MLNetInterop.MLNetHost(new MLContext(seed: 1), "test");
        torch.manual_seed(2);
        int[] labelSteps = Enumerable.Range(0, 40).Select(i => 1 + i % Horizon).ToArray();
        Tensor labels = torch.randn(40, Horizon, FeatureCount);
        using var data = new SequenceDataset(torch.randn(40, 7, FeatureCount), labels, featureSteps: null, labelSteps: labelSteps);
        long[] rows = Enumerable.Range(0, 40).Select(i => (long)i).ToArray();

        using (var scope = torch.NewDisposeScope())
        {
            Tensor prediction = torch.randn(40, Horizon, FeatureCount);
            Tensor mask = data.LabelMask(rows)!;
            Tensor garbage = prediction + (1 - mask) * 1e3f; // change only padded steps
            Assert.Equal(MseSum(prediction, labels, mask).ToDouble(), MseSum(garbage, labels, mask).ToDouble(), 6);
            Assert.Equal(labelSteps.Sum() * FeatureCount, data.ValidLabelElements);
        }

        Dictionary<string, Tensor> Gradients(int[] split)
        {
            torch.manual_seed(3);
            using var network = NetworkFactory.Create(new NetworkArchitecture(FeatureCount, FeatureCount, Horizon, 8, 1, RecurrentCellType.Gru, false, AttentionKind.None, 0));
            using var runner = new OptimizerStepRunner(network, new PointLoss(LossFunction.MeanSquaredError, 1), 1e-3, 0, null, 40, host, null);
            using var scope = torch.NewDisposeScope();
            runner.AccumulateGradients(data, rows, split, new bool[Horizon], epoch: 1);
            return network.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone().DetachFromDisposeScope());
        }
        // Micro-batches with different numbers of valid label values: 3 rows of 1–3 steps vs 37 rows.
        double difference = MLNetSeq2Seq.Tests.Training.TrainingTestKit.NormRelativeDifference(Gradients(new[] { 3, 37 }), Gradients(new[] { 40 }));
        Assert.True(difference < 1e-5, $"gradients differ by {difference:G3}");
    }

    private static TorchSharp.torch.Tensor MseSum(TorchSharp.torch.Tensor prediction, TorchSharp.torch.Tensor labels, TorchSharp.torch.Tensor? mask) =>
        new MLNetSeq2Seq.Training.PointLoss(LossFunction.MeanSquaredError, 1).Sum(prediction, labels, mask);
}
