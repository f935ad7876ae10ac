using Xunit;

namespace MLNetSeq2Seq.Tests;

/// <summary>
/// Test classes that draw from torch's process-wide generator themselves (torch.randn, manual_seed, a network built
/// outside a Fit). Such a draw on one thread would shift the draws of a Fit running on another, so these classes run
/// one at a time, after the parallel ones; every other class runs in parallel with the rest (xunit.runner.json), and
/// Fits running side by side must still give exactly their seed's weights.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchGenerator
{
    public const string Name = "Draws from torch's global generator";
}
