using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// What the training loop, the scorer and the model file see of a network: one forward call from input windows to
/// predictions, and the architecture record that rebuilds it. Network families (<see cref="AutoregressiveNetwork"/>,
/// <see cref="SegmentRecurrentNetwork"/>) and the wrappers around any of them (<see cref="InstanceNormalizedNetwork"/>,
/// <see cref="ChannelIndependentNetwork"/>) implement it; <see cref="NetworkFactory"/> composes them.
/// </summary>
internal abstract class SequenceNetwork : nn.Module
{
    protected SequenceNetwork(string name, NetworkArchitecture architecture) : base(name) => Architecture = architecture;

    /// <summary>The whole model's architecture (the outermost record, also inside a wrapped family).</summary>
    public NetworkArchitecture Architecture { get; }

    /// <summary>
    /// Predicts (N, Horizon, O) from <paramref name="features"/> (N, L, F). <paramref name="lengths"/> (N, int64, CPU):
    /// real steps of right-padded rows, null when all are full length. <paramref name="teacherTargets"/> (N, Horizon, O)
    /// with <paramref name="teacherForcedSteps"/>: training-time teacher forcing for families that feed predictions back
    /// (others ignore it). <paramref name="channels"/> (N, int64, on the device): which channel each row is, given by
    /// <see cref="ChannelIndependentNetwork"/> to the family it wraps; null otherwise.
    /// </summary>
    public abstract Tensor Forward(Tensor features, Tensor? lengths = null, Tensor? teacherTargets = null, bool[]? teacherForcedSteps = null, Tensor? channels = null);

    /// <summary>The point forecast as <see cref="Forward"/> gives it, with the (N, Horizon, O, Q) quantile forecasts of a
    /// model that has quantile levels (<see cref="QuantileHeadNetwork"/>); null quantiles otherwise.</summary>
    public virtual (Tensor Point, Tensor? Quantiles) ForwardWithQuantiles(Tensor features, Tensor? lengths = null, Tensor? teacherTargets = null, bool[]? teacherForcedSteps = null) =>
        (Forward(features, lengths, teacherTargets, teacherForcedSteps), null);
}
