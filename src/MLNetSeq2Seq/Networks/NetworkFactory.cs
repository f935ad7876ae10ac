namespace MLNetSeq2Seq.Networks;

/// <summary>Builds the network an architecture describes: the family, wrapped in channel independence and then
/// instance normalisation when the architecture asks for them. Modules are created in a fixed order, so the same
/// seed gives the same initial weights.</summary>
internal static class NetworkFactory
{
    public static SequenceNetwork Create(NetworkArchitecture architecture)
    {
        SequenceNetwork network = architecture.Family switch
        {
            NetworkFamily.SegmentRecurrent => new SegmentRecurrentNetwork(architecture),
            _ => new AutoregressiveNetwork(architecture),
        };
        if (architecture.ChannelIndependent)
            network = new ChannelIndependentNetwork(architecture, network);
        if (architecture.Normalization != InstanceNormalization.None)
            network = new InstanceNormalizedNetwork(architecture, network);
        return network;
    }
}
