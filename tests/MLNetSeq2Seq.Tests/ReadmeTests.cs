using System;
using System.IO;
using System.Linq;
using Xunit;

namespace MLNetSeq2Seq.Tests;

/// <summary>README's code that users copy is code the build compiles.</summary>
public sealed class ReadmeTests
{
    [Fact]
    public void The_using_it_snippet_is_the_GettingStarted_program_that_the_build_compiles()
    {
        string readme = File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "README.md")).Replace("\r\n", "\n");
        string[] program = File.ReadAllLines(Path.Combine(TestEnvironment.RepoRoot, "examples", "GettingStarted", "Program.cs"));
        // The program's opening comment (how to run it) is not part of the snippet.
        string code = string.Join("\n", program.SkipWhile(line => line.StartsWith("//", StringComparison.Ordinal))).Trim('\n');
        int section = readme.IndexOf("## Using it", StringComparison.Ordinal);
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        int end = readme.IndexOf("\n```", start, StringComparison.Ordinal);

        Assert.True(section >= 0 && start > section, "README has no C# block under 'Using it'.");
        Assert.Equal(code, readme[start..end]);
    }
}
