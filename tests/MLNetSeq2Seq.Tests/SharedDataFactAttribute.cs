using Xunit;

namespace MLNetSeq2Seq.Tests;

/// <summary>A fact that reads a file of ../shared/data: skipped, naming the file, where the checkout has no such file
/// (<see cref="TestEnvironment.MissingSharedDataReason"/>).</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string fileName) => Skip = TestEnvironment.MissingSharedDataReason(fileName);
}
