using Xunit;

namespace MLNetSeq2Seq.Tests;

/// <summary>A theory that reads a file of ../shared/data: skipped, naming the file, where the checkout has no such file
/// (the data sets are not committed; see ../shared/data/README.md).</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute(string fileName)
    {
        if (TestEnvironment.SharedDataFile(fileName) is null)
            Skip = $"../shared/data/{fileName} is not in this checkout (the real data sets are not committed to the repository).";
    }
}
