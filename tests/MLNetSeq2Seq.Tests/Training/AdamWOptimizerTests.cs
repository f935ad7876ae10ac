using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Training;

/// <summary>
/// The library's AdamW against TorchSharp 0.107's, which it replaces: same network, same real loss and gradients,
/// learning rates that change every step and differ per group, weight decay on matrices, clipping — the weights
/// must stay bit-identical. Also the optimizer block: TorchSharp's old one and the own one both resume exactly.
/// </summary>
public sealed class AdamWOptimizerTests
{
    private const double WeightDecay = 0.05;
    private static readonly bool[] s_teacher = { true, false, true, false };

    [Fact]
    public void Its_steps_give_bit_identical_weights_to_TorchSharps_AdamW()
    {
        using var data = Dataset();
        using var ours = new Side(data);
        using var theirs = new Side(data);
        using AdamW reference = TorchSharpAdamW(theirs.Network, 1e-2);
        AssertIdentical(ours.Network, theirs.Network, "before the first step");
        var initial = Snapshot(ours.Network);

        for (int step = 0; step < 36; step++)
        {
            SetRates(ours, reference, step);
            ours.Gradients(step);
            theirs.Gradients(step);
            ours.Runner.Optimizer.Step();
            reference.step();
            AssertIdentical(ours.Network, theirs.Network, $"after step {step + 1}");
        }

        // The weights moved, and the matrices' decay and both groups' rates were in play.
        Assert.True(TrainingTestKit.NormRelativeDifference(Snapshot(ours.Network), initial) > 1e-3);
        Assert.All(ours.Runner.Optimizer.Groups.SelectMany(g => g.States), s => Assert.Equal(36, s.Step));
    }

    [Fact]
    public void A_checkpoint_block_written_by_TorchSharps_AdamW_resumes_exactly()
    {
        const int before = 10, after = 12;
        using var data = Dataset();
        using var theirs = new Side(data);
        using AdamW reference = TorchSharpAdamW(theirs.Network, 1e-2);
        for (int step = 0; step < before; step++)
        {
            SetRates(null, reference, step);
            theirs.Gradients(step);
            reference.step();
        }
        byte[] oldBlock = TorchSharpBlock(reference);

        using var ours = new Side(data);
        ours.CopyWeightsFrom(theirs.Network);
        TrainingCheckpoint.LoadOptimizer(ours.Runner.Optimizer, oldBlock);
        Assert.All(ours.Runner.Optimizer.Groups.SelectMany(g => g.States), s => Assert.Equal(before, s.Step));
        for (int step = before; step < before + after; step++)
        {
            SetRates(ours, reference, step);
            ours.Gradients(step);
            theirs.Gradients(step);
            ours.Runner.Optimizer.Step();
            reference.step();
            AssertIdentical(ours.Network, theirs.Network, $"after step {step + 1}");
        }
    }

    [Fact]
    public void Its_own_checkpoint_block_resumes_exactly_and_keeps_the_rates()
    {
        const int before = 9, after = 12;
        using var data = Dataset();
        using var uninterrupted = new Side(data);
        using var resumed = new Side(data);
        byte[]? block = null;
        double[]? savedRates = null;
        for (int step = 0; step < before + after; step++)
        {
            if (step == before)
            {
                block = TrainingCheckpoint.SaveOptimizer(uninterrupted.Runner.Optimizer);
                savedRates = uninterrupted.Runner.Optimizer.Groups.Select(g => g.LearningRate).ToArray();
                resumed.CopyWeightsFrom(uninterrupted.Network);
                TrainingCheckpoint.LoadOptimizer(resumed.Runner.Optimizer, block);
                Assert.Equal(savedRates, resumed.Runner.Optimizer.Groups.Select(g => g.LearningRate));
            }
            SetRates(uninterrupted, null, step);
            uninterrupted.Gradients(step);
            uninterrupted.Runner.Optimizer.Step();
            if (step >= before)
            {
                SetRates(resumed, null, step);
                resumed.Gradients(step);
                resumed.Runner.Optimizer.Step();
                AssertIdentical(resumed.Network, uninterrupted.Network, $"after step {step + 1}");
            }
        }
        Assert.Equal("MLNETS2S-ADAMW", new BinaryReader(new MemoryStream(block!), Encoding.UTF8).ReadString()); // self-describing, not TorchSharp's
    }

    [Fact]
    public void A_block_that_does_not_fit_the_network_is_refused_naming_the_optimizer_state()
    {
        using var data = Dataset();
        using var small = new Side(data);
        using var other = new Side(data, hiddenSize: 12);
        byte[] block = TrainingCheckpoint.SaveOptimizer(small.Runner.Optimizer);

        var wrongShape = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.LoadOptimizer(other.Runner.Optimizer, block));
        Assert.Contains("optimizer state", wrongShape.Message, StringComparison.Ordinal);
        var garbage = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.LoadOptimizer(small.Runner.Optimizer, Encoding.UTF8.GetBytes("\u0005hello world")));
        Assert.Contains("optimizer state", garbage.Message, StringComparison.Ordinal);
        var cut = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.LoadOptimizer(small.Runner.Optimizer, block.AsSpan(0, block.Length / 2).ToArray()));
        Assert.Contains("optimizer state", cut.Message, StringComparison.Ordinal);
    }

    /// <summary>Rates that change every step, the bias group at a different rate than the matrices.</summary>
    private static void SetRates(Side? ours, AdamW? reference, int step)
    {
        double rate = 1e-2 * (0.3 + 0.7 * (step * 7 % 10) / 10.0);
        double[] rates = { rate, rate * 0.6 };
        if (ours is not null)
            for (int g = 0; g < rates.Length; g++)
                ours.Runner.Optimizer.Groups[g].LearningRate = rates[g];
        if (reference is not null)
        {
            int g = 0;
            foreach (var group in reference.ParamGroups)
                group.LearningRate = rates[g++];
        }
    }

    /// <summary>TorchSharp's AdamW with the groups the trainer built before: matrices decayed, 1-D parameters not.</summary>
    private static AdamW TorchSharpAdamW(SequenceNetwork network, double learningRate)
    {
        var parameters = network.named_parameters().Select(p => p.parameter).ToList();
        return torch.optim.AdamW(new[]
        {
            new AdamW.ParamGroup(parameters.Where(p => p.dim() > 1).ToList(), new AdamW.Options { LearningRate = learningRate, weight_decay = WeightDecay }),
            new AdamW.ParamGroup(parameters.Where(p => p.dim() <= 1).ToList(), new AdamW.Options { LearningRate = learningRate, weight_decay = 0 }),
        }, lr: learningRate, weight_decay: WeightDecay);
    }

    private static byte[] TorchSharpBlock(AdamW optimizer)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        return memory.ToArray();
    }

    private static void AssertIdentical(SequenceNetwork actual, SequenceNetwork expected, string when)
    {
        var expectedParameters = expected.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in actual.named_parameters())
        {
            using var scope = torch.NewDisposeScope();
            Assert.True(TensorAssert.Identical(parameter, expectedParameters[name]), $"{name} differs {when}");
        }
    }

    private static Dictionary<string, Tensor> Snapshot(SequenceNetwork network) =>
        network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    private static SequenceDataset Dataset()
    {
        TorchRuntime.EnsureLoaded();
        var rows = SyntheticSequences.Generate(192, seed: 29);
        const int L = SyntheticSequences.InputLength, F = SyntheticSequences.FeatureCount, H = SyntheticSequences.Horizon;
        Tensor features = torch.tensor(rows.SelectMany(r => r.Features).ToArray(), new long[] { rows.Count, L, F });
        Tensor labels = torch.tensor(rows.SelectMany(r => r.Label).ToArray(), new long[] { rows.Count, H, F });
        return new SequenceDataset(features, labels);
    }

    /// <summary>A small real network (GRU encoder-decoder with attention) and the trainer's step runner over it; two sides
    /// built with the same seed start with the same weights.</summary>
    private sealed class Side : IDisposable
    {
        private readonly SequenceDataset _data;

        public Side(SequenceDataset data, int hiddenSize = 16)
        {
            _data = data;
            Network = NetworkFactory.Create(new NetworkArchitecture(2, 2, 4, hiddenSize, 2, RecurrentCellType.Gru, false, AttentionKind.Additive, 0), seed: 11);
            Network.train();
            Runner = new OptimizerStepRunner(Network, new PointLoss(LossFunction.MeanSquaredError, 1), 1e-2, WeightDecay, clipNorm: null,
                microBatchSize: 64, new MLNetHost(new MLContext(seed: 1), "test"), observer: null);
        }

        public SequenceNetwork Network { get; }

        public OptimizerStepRunner Runner { get; }

        /// <summary>zero_grad, then the real loss's gradients on step <paramref name="step"/>'s 48 rows, clipped to a global norm of 1.</summary>
        public void Gradients(int step)
        {
            long[] rows = Enumerable.Range(0, 48).Select(i => (long)((step * 48 + i * 37) % _data.Count)).ToArray();
            using var scope = torch.NewDisposeScope();
            Runner.AccumulateGradients(_data, rows, new[] { 32, 16 }, s_teacher, epoch: 1, step);
            GradientClipping.ClipByGlobalNorm(Network.parameters().ToList(), 1.0);
        }

        public void CopyWeightsFrom(SequenceNetwork source)
        {
            var sourceParameters = source.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            using var noGrad = torch.no_grad();
            foreach (var (name, parameter) in Network.named_parameters())
                parameter.copy_(sourceParameters[name]);
        }

        public void Dispose()
        {
            Runner.Dispose();
            Network.Dispose();
        }
    }
}
