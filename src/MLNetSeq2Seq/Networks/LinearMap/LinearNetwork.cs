using System;
using MLNetSeq2Seq.Networks.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Networks.LinearMap;

/// <summary>
/// One linear map from the look-back window to the forecast: the L·F input values of a row (time-major) to its H·O
/// predictions, with a bias. A longer window is read by its last L steps (a lookback chosen shorter than the
/// windows, <see cref="Selection.BaselineSelection"/>). Inside <see cref="ChannelIndependentNetwork"/> (F = O = 1) this is a Linear(L → H) shared
/// by every channel, and with instance normalisation around it, NLinear (SubtractLast) or RLinear (Standardize). L is
/// the architecture's lookback; shorter windows are refused.
/// </summary>
internal sealed class LinearNetwork : SequenceNetwork
{
    // Named like its state-dict key.
    private readonly DenseLayer head;
    private readonly int _inputs;
    private readonly int _outputs;
    private readonly int _lookback;

    public LinearNetwork(NetworkArchitecture architecture, ModuleRandom random) : base(nameof(LinearNetwork), architecture, random)
    {
        if (architecture.Lookback < 1)
            throw new ArgumentException($"{nameof(NetworkFamily)}.{NetworkFamily.Linear} shapes its weights by the window length, but the training windows have no single length: "
                + "give the feature column a fixed size (windows of one length).", nameof(architecture));
        (_inputs, _outputs) = architecture.FamilyFeatureCounts;
        _lookback = architecture.Lookback;
        head = new DenseLayer((long)_lookback * _inputs, (long)architecture.Horizon * _outputs, random);
        RegisterComponents();
    }

    public override Tensor forward(SequenceInput input)
    {
        Tensor recent = RecentSteps(input, _lookback, _inputs);
        return head.call(recent.reshape(recent.shape[0], (long)_lookback * _inputs)).reshape(recent.shape[0], Architecture.Horizon, _outputs);
    }
}
