using System;
using System.Collections.Generic;
using System.Linq;
using MLNetSeq2Seq.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// The baseline: a plain TorchSharp loop over pre-built tensors, no ML.NET. Same network, initial weights, row
/// order, AdamW settings (weight decay on matrices only), global-norm clipping and constant learning rate as the
/// component. Owns the model and optimizer; build it outside the timed region. <see cref="RawLoopParts"/> swaps in the
/// library's own pieces one at a time, for the loop-parts figure.
/// </summary>
internal sealed class RawTrainingLoop : IDisposable
{
    private readonly RawSequenceNetwork _network;
    private readonly List<Parameter> _parameters;
    private readonly OptimizerHelper _optimizer;
    private readonly AdamWOptimizer? _ownOptimizer;
    private readonly NonFiniteStepMonitor? _divergenceWatch;
    private readonly RawLoopParts _parts;
    private readonly Workload _workload;

    public RawTrainingLoop(Workload workload, RawLoopParts parts = RawLoopParts.None)
    {
        _workload = workload;
        _parts = parts;
        torch.manual_seed(Workload.Seed);
        _network = new RawSequenceNetwork(Workload.FeatureCount, Workload.OutputFeatureCount, Workload.HiddenSize, Workload.LayerCount, Workload.Horizon);
        _parameters = _network.parameters().ToList();
        _optimizer = TorchAdamW(_parameters);
        if (parts.HasFlag(RawLoopParts.OwnAdamWStep))
            _ownOptimizer = AdamWOptimizer.ForNetwork(_network, Workload.LearningRate, Workload.WeightDecay);
        if (parts.HasFlag(RawLoopParts.DivergenceWatch))
            _divergenceWatch = new NonFiniteStepMonitor(torch.CPU, skipSteps: false);
        _network.train();
    }

    /// <summary>TorchSharp's AdamW with W1's settings: weight decay on the matrices, none on the biases (1-D parameters).</summary>
    public static OptimizerHelper TorchAdamW(IReadOnlyList<Parameter> parameters) => torch.optim.AdamW(new[]
    {
        new AdamW.ParamGroup(parameters.Where(p => p.dim() > 1).ToList(), new AdamW.Options { LearningRate = Workload.LearningRate, weight_decay = Workload.WeightDecay }),
        new AdamW.ParamGroup(parameters.Where(p => p.dim() <= 1).ToList(), new AdamW.Options { LearningRate = Workload.LearningRate, weight_decay = 0 }),
    }, lr: Workload.LearningRate, weight_decay: Workload.WeightDecay);

    /// <summary>One epoch over <paramref name="features"/> (N, L, F) and <paramref name="labels"/> (N, H, O); returns the mean loss.</summary>
    public double RunEpoch(Tensor features, Tensor labels, int epoch)
    {
        int rowCount = (int)features.shape[0];
        long[] order = RowOrder.Permutation(rowCount, Workload.Seed, epoch);
        int batchSize = _workload.BatchSize;
        using Tensor lossSum = torch.zeros(1, dtype: ScalarType.Float64);
        _divergenceWatch?.StartEpoch();
        long step = 0;
        for (int start = 0; start < rowCount; start += batchSize, step++)
        {
            int count = Math.Min(batchSize, rowCount - start);
            using var scope = torch.NewDisposeScope();
            if (_ownOptimizer is null)
                _optimizer.zero_grad();
            else
                _ownOptimizer.ZeroGrad();
            Tensor index = torch.tensor(order.AsSpan(start, count).ToArray(), dtype: ScalarType.Int64);
            Tensor x = features.index_select(0, index);
            Tensor y = labels.index_select(0, index);
            Tensor loss = nn.functional.mse_loss(_network.Forward(x, y), y);
            loss.backward();
            Tensor[]? held = _divergenceWatch is null ? null : NonFiniteStepMonitor.HoldWeights(_parameters);
            if (_parts.HasFlag(RawLoopParts.OwnClipping))
            {
                Tensor? squaredNorm = GradientClipping.ClipByGlobalNorm(_parameters, Workload.GradientClipNorm);
                _divergenceWatch?.Record(loss, squaredNorm, step);
            }
            else
            {
                torch.nn.utils.clip_grad_norm_(_parameters, Workload.GradientClipNorm);
                _divergenceWatch?.Record(loss, _parameters, step);
            }
            if (_ownOptimizer is null)
                _optimizer.step();
            else
                _ownOptimizer.Step();
            if (held is not null)
                _divergenceWatch!.UndoUpdateIfDiverged(_parameters, held);
            using (torch.no_grad())
                lossSum.add_(loss.detach().to(ScalarType.Float64) * count);
            if (_divergenceWatch is not null && step % NonFiniteStepMonitor.CheckEverySteps == 0 && _divergenceWatch.FirstNonFiniteStep() is long early)
                throw new InvalidOperationException($"The raw loop's loss was not finite at step {early}.");
        }
        if (_divergenceWatch?.FirstNonFiniteStep() is long bad)
            throw new InvalidOperationException($"The raw loop's loss was not finite at step {bad}.");
        return lossSum.ToDouble() / rowCount;
    }

    public void Dispose()
    {
        _divergenceWatch?.Dispose();
        _ownOptimizer?.Dispose();
        _optimizer.Dispose();
        _network.Dispose();
    }
}
