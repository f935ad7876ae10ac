using MLNetSeq2Seq.Networks.Layers;
using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// What the training loop, the scorer and the model file see of a network: one forward call from input windows to
/// predictions, and the architecture record that rebuilds it. Network families (one folder each under Networks/, registered in
/// <see cref="NetworkFamilies"/>) and the wrappers around any of them (<see cref="InstanceNormalizedNetwork"/>,
/// <see cref="ChannelIndependentNetwork"/>) implement it; <see cref="NetworkFactory"/> composes them.
/// </summary>
internal abstract class SequenceNetwork : nn.Module<SequenceInput, Tensor>
{
    protected SequenceNetwork(string name, NetworkArchitecture architecture, ModuleRandom random) : base(name)
    {
        Architecture = architecture;
        Random = random;
    }

    /// <summary>The whole model's architecture (the outermost record, also inside a wrapped family).</summary>
    public NetworkArchitecture Architecture { get; }

    /// <summary>The network's private generators (initial weights, dropout masks), shared by the family and its wrappers;
    /// the training loop reseeds its dropout before each micro-batch.</summary>
    public ModuleRandom Random { get; }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Random.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Predicts (N, Horizon, O) from the input (see <see cref="SequenceInput"/>) through <c>call</c>, so that
    /// module hooks run: the same as <c>call(new SequenceInput(...))</c>.</summary>
    public Tensor Forward(Tensor features, Tensor? lengths = null, Tensor? teacherTargets = null, bool[]? teacherForcedSteps = null, Tensor? channels = null, Tensor? future = null) =>
        call(new SequenceInput(features, lengths, teacherTargets, teacherForcedSteps, channels, future));

    /// <summary>The point forecast as <see cref="Forward"/> gives it, with the (N, Horizon, O, Q) quantile forecasts of a
    /// model that has quantile levels (<see cref="QuantileHeadNetwork"/>); null quantiles otherwise.</summary>
    public virtual (Tensor Point, Tensor? Quantiles) ForwardWithQuantiles(Tensor features, Tensor? lengths = null, Tensor? teacherTargets = null, bool[]? teacherForcedSteps = null, Tensor? future = null) =>
        (Forward(features, lengths, teacherTargets, teacherForcedSteps, future: future), null);

    /// <summary>The last <paramref name="lookback"/> steps of full-length windows (N, L ≥ lookback, <paramref name="inputs"/>),
    /// after checking the shape and the known-future input: for the families that read a lookback.</summary>
    protected Tensor RecentSteps(SequenceInput input, int lookback, int inputs)
    {
        Tensor features = input.Features;
        if (features.dim() != 3 || features.shape[1] < lookback || features.shape[2] != inputs)
            throw new ArgumentException($"The {Architecture.Family} network reads the last {lookback} steps × {inputs} values of a window (its lookback), got ({string.Join(", ", features.shape)}).", nameof(input));
        if (input.Lengths is not null)
            throw new ArgumentException($"The {Architecture.Family} network needs full-length input windows, but the rows differ in length.", nameof(input));
        CheckFuture(features, input.Future);
        return features.shape[1] == lookback ? features : features.narrow(1, features.shape[1] - lookback, lookback);
    }

    /// <summary>Checks <paramref name="future"/> against the architecture's K: (N, Horizon, K) when K &gt; 0, null otherwise.</summary>
    protected void CheckFuture(Tensor features, Tensor? future)
    {
        int k = Architecture.FutureFeatureCount;
        if (k == 0 && future is null)
            return;
        if (k == 0)
            throw new ArgumentException("This network was trained without known-future features, but some were given.", nameof(future));
        if (future is null)
            throw new ArgumentException($"This network was trained with {k} known-future features per forecast step (Seq2SeqOptions.FutureFeatureColumnName); give them.", nameof(future));
        if (future.dim() != 3 || future.shape[0] != features.shape[0] || future.shape[1] != Architecture.Horizon || future.shape[2] != k)
            throw new ArgumentException($"Expected future features shaped ({features.shape[0]}, {Architecture.Horizon}, {k}), got ({string.Join(", ", future.shape)}).", nameof(future));
    }
}
