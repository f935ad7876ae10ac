using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.TrainingData;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Training;

/// <summary>
/// The gradient noise scale estimator against the quantity it estimates, computed directly: at fixed weights, the
/// gradient of every training sample on its own gives G (their mean) and Σ (their covariance), so B_simple = tr(Σ) / |G|²
/// needs no estimate. The estimator sees only what Fit gives it — micro-batch and accumulated gradients of random
/// optimizer steps — and must land within <see cref="Tolerance"/> of it.
/// </summary>
public sealed class GradientNoiseScaleTests(ITestOutputHelper output)
{
    /// <summary>Relative tolerance on B_simple, |G|² and tr(Σ). Steps = 400 random batches of 64 (25,600 samples seen,
    /// 25 per training row); the spread of the estimate over seeds at these sizes is a few percent (measured: see the
    /// test output), while a wrong factor in the micro-batch rescaling or the batch sizes moves it by 2× or more.</summary>
    private const double Tolerance = 0.15;

    private const int Rows = 1024, Batch = 64, Steps = 400;

    public static TheoryData<int[]> Splits() => new()
    {
        new[] { 16, 16, 16, 16 }, // accumulation: micro-batches of 16 against the step of 64
        new[] { Batch },           // no accumulation: the estimator splits the step into halves
        new[] { 24, 24, 16 },      // unequal micro-batches (harmonic mean of their sizes)
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void The_estimate_matches_trace_of_the_covariance_over_the_squared_gradient_norm_from_per_sample_gradients(int[] plan)
    {
        TorchRuntime.EnsureLoaded();
        var ml = new MLContext(seed: 1);
        var host = new MLNetHost(ml, "test");
        using var data = Dataset(SyntheticSequences.Generate(Rows, seed: 21));
        using var network = NetworkFactory.Create(new NetworkArchitecture(2, 2, 4, 16, 1, RecurrentCellType.Gru, false, AttentionKind.None, 0), seed: 3);
        network.train();
        bool[] teacher = { true, true, true, true };
        using var runner = new OptimizerStepRunner(network, new PointLoss(LossFunction.MeanSquaredError, 1), 1e-2, 0, clipNorm: null, microBatchSize: Batch, host, observer: null);
        var random = new Random(7);

        // Train a little first, so that the weights sit where the gradient is partly noise (as later in a real run).
        for (int step = 0; step < 150; step++)
        {
            using var scope = torch.NewDisposeScope();
            runner.AccumulateGradients(data, Sample(random, 32), new[] { 32 }, teacher, epoch: 1);
            runner.Optimizer.Step();
        }

        var (squaredNorm, trace) = Direct(runner, network, data, teacher);
        double direct = trace / squaredNorm;

        using var noise = new GradientNoiseScale(network.parameters(), everySteps: 1, data.Device, decay: 0.999);
        using var measuring = new OptimizerStepRunner(network, new PointLoss(LossFunction.MeanSquaredError, 1), 1e-2, 0, clipNorm: null, microBatchSize: Batch, host,
            observer: null, noiseScale: noise);
        for (int step = 0; step < Steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            int[] sizes = noise.MicroBatchesFor(step, plan);
            measuring.AccumulateGradients(data, Sample(random, Batch), sizes, teacher, epoch: 1, step: step); // no optimizer step: the weights stay fixed
        }
        GradientNoiseScaleEpoch estimate = noise.EndEpoch(1);

        output.WriteLine($"plan {string.Join('+', plan)}: direct |G|² {squaredNorm:G4}, tr Σ {trace:G4}, B_simple {direct:F2}; "
            + $"estimator |G|² {estimate.GradientSquaredNorm:G4}, tr Σ {estimate.TraceCovariance:G4}, B_simple {estimate.SimpleNoiseScale:F2} "
            + $"(ratio {estimate.SimpleNoiseScale / direct:F3}; batches {estimate.SmallBatch:G3} vs {estimate.BigBatch:G3}, {estimate.SampledSteps} steps)");
        Assert.Equal(Steps, estimate.SampledSteps);
        Assert.NotNull(estimate.SimpleNoiseScale);
        Assert.InRange(estimate.SimpleNoiseScale!.Value / direct, 1 - Tolerance, 1 + Tolerance);
        Assert.InRange(estimate.GradientSquaredNorm / squaredNorm, 1 - Tolerance, 1 + Tolerance);
        Assert.InRange(estimate.TraceCovariance / trace, 1 - Tolerance, 1 + Tolerance);
    }

    /// <summary>|G|² and tr(Σ) from the gradient of each of the <see cref="Rows"/> samples alone (float64), Σ with the
    /// 1/(N − 1) of the sample covariance (what a batch drawn without replacement estimates).</summary>
    private static (double SquaredNorm, double Trace) Direct(OptimizerStepRunner runner, SequenceNetwork network, SequenceDataset data, bool[] teacher)
    {
        var parameters = network.parameters().ToList();
        double[]? sum = null;
        var all = new double[Rows][];
        for (int n = 0; n < Rows; n++)
        {
            using var scope = torch.NewDisposeScope();
            runner.AccumulateGradients(data, new long[] { n }, new[] { 1 }, teacher, epoch: 1);
            Tensor flat = torch.cat(parameters.Select(p => p.grad!.flatten()).ToArray()).to(ScalarType.Float64);
            all[n] = flat.data<double>().ToArray();
            sum ??= new double[all[n].Length];
            for (int i = 0; i < sum.Length; i++)
                sum[i] += all[n][i];
        }
        double[] mean = sum!.Select(s => s / Rows).ToArray();
        double squaredNorm = mean.Sum(m => m * m);
        double deviations = all.Sum(g => g.Select((v, i) => (v - mean[i]) * (v - mean[i])).Sum());
        return (squaredNorm, deviations / (Rows - 1));
    }

    private static long[] Sample(Random random, int count)
    {
        var rows = new HashSet<long>();
        while (rows.Count < count)
            rows.Add(random.Next(Rows));
        return rows.ToArray();
    }

    private static SequenceDataset Dataset(List<SyntheticSequences.Row> rows)
    {
        const int L = SyntheticSequences.InputLength, F = SyntheticSequences.FeatureCount, H = SyntheticSequences.Horizon;
        Tensor features = torch.tensor(rows.SelectMany(r => r.Features).ToArray(), new long[] { rows.Count, L, F });
        Tensor labels = torch.tensor(rows.SelectMany(r => r.Label).ToArray(), new long[] { rows.Count, H, F });
        return new SequenceDataset(features, labels);
    }
}
