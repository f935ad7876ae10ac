using MLNetSeq2Seq.Networks.Layers;

namespace MLNetSeq2Seq.Networks;

/// <summary>Builds the network an architecture describes: the family, wrapped in channel independence and then
/// instance normalisation, then the quantile head, when the architecture asks for them. Modules are created in a fixed order, so the same
/// seed gives the same initial weights.</summary>
internal static class NetworkFactory
{
    /// <summary>A network whose initial weights, and later its dropout masks, are drawn from its own generators seeded
    /// with <paramref name="seed"/> (<see cref="ModuleRandom"/>): whatever else the process draws, in parallel or
    /// before, the same seed gives the same weights, and the network's draws change nobody else's.</summary>
    public static SequenceNetwork Create(NetworkArchitecture architecture, int seed) => Build(architecture, new ModuleRandom(seed));

    /// <summary>A network whose initial weights are about to be replaced (loaded or restored).</summary>
    public static SequenceNetwork Create(NetworkArchitecture architecture) => Build(architecture, new ModuleRandom(0));

    private static SequenceNetwork Build(NetworkArchitecture architecture, ModuleRandom random)
    {
        SequenceNetwork network = architecture.FamilyDescriptor.Build(architecture, random);
        if (architecture.ChannelIndependent)
            network = new ChannelIndependentNetwork(architecture, network);
        if (architecture.Normalization != InstanceNormalization.None)
            network = new InstanceNormalizedNetwork(architecture, network);
        if (architecture.Quantiles.Length > 0)
            network = new QuantileHeadNetwork(architecture, network);
        return network;
    }
}
