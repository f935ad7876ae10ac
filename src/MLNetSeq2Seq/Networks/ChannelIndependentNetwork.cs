using System;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// Channel independence around any family: each forecast column is its own univariate sequence through shared
/// weights. The target columns of (N, L, F) become N·O rows of (L, 1), each with its channel index; the family's
/// (N·O, H, 1) predictions are put back as (N, H, O). Output k therefore depends on input column
/// <see cref="NetworkArchitecture.TargetInputIndices"/>[k] only; inputs that are not forecast are not read.
/// </summary>
internal sealed class ChannelIndependentNetwork : SequenceNetwork
{
    // Named like its state-dict key.
    private readonly SequenceNetwork inner;
    private readonly long[] _targets;

    public ChannelIndependentNetwork(NetworkArchitecture architecture, SequenceNetwork family) : base(nameof(ChannelIndependentNetwork), architecture, family.Random)
    {
        if (architecture.Targets.Length != architecture.OutputFeatureCount)
            throw new ArgumentException("Channel independence needs the input column of every output.", nameof(architecture));
        inner = family;
        _targets = Array.ConvertAll(architecture.Targets, i => (long)i);
        RegisterComponents();
    }

    public override Tensor forward(SequenceInput input)
    {
        var (features, lengths, teacherTargets, teacherForcedSteps, channels, future) = input;
        long rows = features.shape[0], steps = features.shape[1], outputs = _targets.Length;
        CheckFuture(features, future); // here, with the caller's row count, before rows become rows × channels
        Tensor columns = features.index_select(2, torch.tensor(_targets, device: features.device));
        Tensor univariate = columns.permute(0, 2, 1).reshape(rows * outputs, steps, 1);
        Tensor channelOfRow = Range(outputs, features.device).repeat(rows);
        Tensor? rowLengths = lengths?.repeat_interleave(outputs);
        Tensor? targets = teacherTargets?.permute(0, 2, 1).reshape(rows * outputs, teacherTargets.shape[1], 1);
        // Known-future features belong to the row's time steps, not to a column: every channel of a row sees the same.
        Tensor? rowFuture = future?.repeat_interleave(outputs, dim: 0);
        Tensor prediction = inner.Forward(univariate, rowLengths, targets, teacherForcedSteps, channelOfRow, rowFuture);
        return prediction.reshape(rows, outputs, Architecture.Horizon).permute(0, 2, 1);
    }
}
