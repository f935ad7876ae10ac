using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// The baseline: a plain TorchSharp loop over pre-built tensors, no ML.NET. Same network, initial weights, row
/// order, AdamW settings (weight decay on matrices only), global-norm clipping and constant learning rate as the
/// component. Owns the model and optimizer; build it outside the timed region.
/// </summary>
internal sealed class RawTrainingLoop : IDisposable
{
    private readonly RawSequenceNetwork _network;
    private readonly List<Parameter> _parameters;
    private readonly OptimizerHelper _optimizer;
    private readonly Workload _workload;

    public RawTrainingLoop(Workload workload)
    {
        _workload = workload;
        torch.manual_seed(Workload.Seed);
        _network = new RawSequenceNetwork(Workload.FeatureCount, Workload.OutputFeatureCount, Workload.HiddenSize, Workload.LayerCount, Workload.Horizon);
        _parameters = _network.parameters().ToList();
        var decayed = _network.parameters().Where(p => p.dim() > 1).ToList();
        var notDecayed = _network.parameters().Where(p => p.dim() <= 1).ToList();
        _optimizer = torch.optim.AdamW(new[]
        {
            new AdamW.ParamGroup(decayed, new AdamW.Options { LearningRate = Workload.LearningRate, weight_decay = Workload.WeightDecay }),
            new AdamW.ParamGroup(notDecayed, new AdamW.Options { LearningRate = Workload.LearningRate, weight_decay = 0 }),
        }, lr: Workload.LearningRate, weight_decay: Workload.WeightDecay);
        _network.train();
    }

    /// <summary>One epoch over <paramref name="features"/> (N, L, F) and <paramref name="labels"/> (N, H, O); returns the mean loss.</summary>
    public double RunEpoch(Tensor features, Tensor labels, int epoch)
    {
        int rowCount = (int)features.shape[0];
        long[] order = RowOrder.Permutation(rowCount, Workload.Seed, epoch);
        int batchSize = _workload.BatchSize;
        using Tensor lossSum = torch.zeros(1, dtype: ScalarType.Float64);
        for (int start = 0; start < rowCount; start += batchSize)
        {
            int count = Math.Min(batchSize, rowCount - start);
            using var scope = torch.NewDisposeScope();
            _optimizer.zero_grad();
            Tensor index = torch.tensor(order.AsSpan(start, count).ToArray(), dtype: ScalarType.Int64);
            Tensor x = features.index_select(0, index);
            Tensor y = labels.index_select(0, index);
            Tensor loss = nn.functional.mse_loss(_network.Forward(x, y), y);
            loss.backward();
            torch.nn.utils.clip_grad_norm_(_parameters, Workload.GradientClipNorm);
            _optimizer.step();
            using (torch.no_grad())
                lossSum.add_(loss.detach().to(ScalarType.Float64) * count);
        }
        return lossSum.ToDouble() / rowCount;
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _network.Dispose();
    }
}
