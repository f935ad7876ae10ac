using System;
using System.Linq;
using MLNetSeq2Seq.Networks.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// Quantile forecasts around any network (the outermost wrapper). <see cref="forward"/> is the wrapped network's point
/// forecast, unchanged; <see cref="ForwardWithQuantiles"/> adds (N, Horizon, O, Q) quantiles that cannot cross by
/// construction: a linear map of each row's last real input step gives one raw value per (step, output, level), softplus
/// makes it a non-negative gap, and the levels are the point forecast minus cumulative gaps going down (levels below 0.5)
/// and plus cumulative gaps going up (levels above 0.5); a level of exactly 0.5 is the point forecast itself.
/// </summary>
internal sealed class QuantileHeadNetwork : SequenceNetwork
{
    // Named like their state-dict keys.
    private readonly SequenceNetwork inner;
    private readonly DenseLayer quantile_gaps;
    private readonly int _below;
    private readonly int _median;
    private readonly int _above;

    public QuantileHeadNetwork(NetworkArchitecture architecture, SequenceNetwork wrapped) : base(nameof(QuantileHeadNetwork), architecture, wrapped.Random)
    {
        double[] levels = architecture.Quantiles;
        if (levels.Length == 0)
            throw new ArgumentException("No quantile levels to forecast.", nameof(architecture));
        inner = wrapped;
        _below = levels.Count(q => q < 0.5);
        _median = levels.Count(q => q == 0.5);
        _above = levels.Length - _below - _median;
        quantile_gaps = new DenseLayer(architecture.InputFeatureCount, (long)architecture.Horizon * architecture.OutputFeatureCount * levels.Length, wrapped.Random);
        RegisterComponents();
    }

    public override Tensor forward(SequenceInput input) =>
        inner.call(input);

    public override (Tensor Point, Tensor? Quantiles) ForwardWithQuantiles(Tensor features, Tensor? lengths = null, Tensor? teacherTargets = null, bool[]? teacherForcedSteps = null, Tensor? future = null)
    {
        Tensor point = inner.Forward(features, lengths, teacherTargets, teacherForcedSteps, future: future);
        return (point, QuantilesAround(point, LastSteps.Of(features, lengths)));
    }

    /// <summary>(N, H, O, Q) quantiles around <paramref name="point"/> (N, H, O), from <paramref name="lastStep"/> (N, F).</summary>
    internal Tensor QuantilesAround(Tensor point, Tensor lastStep)
    {
        var a = Architecture;
        Tensor raw = quantile_gaps.call(lastStep);
        // softplus(x) = relu(x) + log(1 + exp(−|x|)): stable for large |x|, and no Scalar arguments.
        Tensor gaps = Plus(nn.functional.relu(raw), raw.abs().neg().exp().log1p()).view(-1, a.Horizon, a.OutputFeatureCount, a.Quantiles.Length);
        Tensor center = point.unsqueeze(3);
        var parts = new System.Collections.Generic.List<Tensor>(3);
        if (_below > 0)
        {
            // Level k below the median sits under the point by the gaps of levels k … below − 1 (a reversed cumulative sum).
            Tensor down = gaps.narrow(3, 0, _below).flip(3).cumsum(3).flip(3);
            parts.Add(center - down);
        }
        if (_median > 0)
            parts.Add(center);
        if (_above > 0)
            parts.Add(Plus(center, gaps.narrow(3, _below + _median, _above).cumsum(3)));
        return parts.Count == 1 ? parts[0] : torch.cat(parts.ToArray(), 3);
    }
}
