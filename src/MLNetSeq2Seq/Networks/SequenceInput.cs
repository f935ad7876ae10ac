using static TorchSharp.torch;

namespace MLNetSeq2Seq.Networks;

/// <summary>
/// What a <see cref="SequenceNetwork"/> reads in one forward call. <paramref name="Features"/> (N, L, F).
/// <paramref name="Lengths"/> (N, int64, CPU): real steps of right-padded rows, null when all are full length.
/// <paramref name="TeacherTargets"/> (N, Horizon, O) with <paramref name="TeacherForcedSteps"/>: training-time teacher
/// forcing for families that feed predictions back (others ignore it). <paramref name="Channels"/> (N, int64, on the
/// device): which channel each row is, given by <see cref="ChannelIndependentNetwork"/> to the family it wraps; null
/// otherwise. <paramref name="Future"/> (N, Horizon, K, on the device): the known-future features of each forecast
/// step, required when <see cref="NetworkArchitecture.FutureFeatureCount"/> K &gt; 0 and null otherwise.
/// </summary>
internal sealed record SequenceInput(
    Tensor Features,
    Tensor? Lengths = null,
    Tensor? TeacherTargets = null,
    bool[]? TeacherForcedSteps = null,
    Tensor? Channels = null,
    Tensor? Future = null);
