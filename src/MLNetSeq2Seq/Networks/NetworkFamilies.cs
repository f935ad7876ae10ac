using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLNetSeq2Seq.Networks.Autoregressive;
using MLNetSeq2Seq.Networks.LinearMap;
using MLNetSeq2Seq.Networks.SegmentRecurrent;

namespace MLNetSeq2Seq.Networks;

/// <summary>The registry of network families: the one place that lists them. Adding a family is a folder under
/// Networks/ with its <see cref="INetworkFamily"/>, plus one line here.</summary>
internal static class NetworkFamilies
{
    private static readonly INetworkFamily[] s_families =
    {
        new AutoregressiveFamily(),
        new SegmentRecurrentFamily(),
        new LinearFamily(),
    };

    private static readonly Dictionary<NetworkFamily, INetworkFamily> s_byId = s_families.ToDictionary(f => f.Id);

    /// <summary>Every registered family.</summary>
    public static IReadOnlyList<INetworkFamily> All => s_families;

    /// <summary>The descriptor of <paramref name="family"/>; an unregistered value is an error, never a default.</summary>
    public static INetworkFamily Get(NetworkFamily family) =>
        s_byId.TryGetValue(family, out INetworkFamily? descriptor)
            ? descriptor
            : throw new ArgumentOutOfRangeException(nameof(family), family, $"{nameof(NetworkFamily)} {family} is not a registered network family; use one of {string.Join(", ", s_families.Select(f => f.Id))}.");

    /// <summary>As <see cref="Get"/>, for values read from a file: an unknown family is <see cref="InvalidDataException"/>.</summary>
    public static INetworkFamily Read(NetworkFamily family) =>
        s_byId.TryGetValue(family, out INetworkFamily? descriptor)
            ? descriptor
            : throw new InvalidDataException($"network family {(int)family} is not known to this MLNetSeq2Seq");
}
