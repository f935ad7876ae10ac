using Xunit;

namespace MLNetSeq2Seq.Tests;

/// <summary>
/// Test classes that draw from torch's process-wide generator themselves (torch.randn, manual_seed, nn.Linear) and
/// need its sequence to be theirs, or that check what a Fit leaves in it. The library never draws from it (each network
/// has its own generators), so Fits are not among the reasons; these classes run one at a time, after the parallel
/// ones, and every other class runs in parallel with the rest (xunit.runner.json).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchGenerator
{
    public const string Name = "Draws from torch's global generator";
}
