using MLNetSeq2Seq.Native;

namespace MLNetSeq2Seq.Networks;

/// <summary>Builds the network an architecture describes: the family, wrapped in channel independence and then
/// instance normalisation, then the quantile head, when the architecture asks for them. Modules are created in a fixed order, so the same
/// seed gives the same initial weights.</summary>
internal static class NetworkFactory
{
    /// <summary>A network whose initial weights are drawn from <paramref name="seed"/> alone: whatever else the process
    /// draws, in parallel or before, the same seed gives the same weights.</summary>
    public static SequenceNetwork Create(NetworkArchitecture architecture, int seed) => TorchRandom.Seeded(seed, () => Build(architecture));

    /// <summary>A network whose initial weights are about to be replaced (loaded or restored): its draws disturb neither
    /// the caller's generator nor a Fit running in parallel.</summary>
    public static SequenceNetwork Create(NetworkArchitecture architecture) => TorchRandom.Undisturbed(() => Build(architecture));

    private static SequenceNetwork Build(NetworkArchitecture architecture)
    {
        SequenceNetwork network = architecture.FamilyDescriptor.Build(architecture);
        if (architecture.ChannelIndependent)
            network = new ChannelIndependentNetwork(architecture, network);
        if (architecture.Normalization != InstanceNormalization.None)
            network = new InstanceNormalizedNetwork(architecture, network);
        if (architecture.Quantiles.Length > 0)
            network = new QuantileHeadNetwork(architecture, network);
        return network;
    }
}
