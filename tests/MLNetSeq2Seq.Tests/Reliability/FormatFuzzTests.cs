using System;
using System.Globalization;
using System.Linq;
using MLNetSeq2Seq.Tests.ChildProcess;
using Xunit;
using Xunit.Abstractions;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>
/// The fuzz harness of every file format the library reads (<see cref="FormatFuzzer"/>), in a child process whose
/// address space is capped: no crash, no case past the watchdog, no case allocating past the bound, and every error the
/// entry point's documented exception. Its figures go to docs/reliability.md ("The fuzz harness").
/// </summary>
public sealed class FormatFuzzTests(ITestOutputHelper output)
{
    private const int CasesPerFormat = 300;
    private const double MaxCaseMilliseconds = 10_000;
    private const double MaxCaseMebibytes = 64;

    [Fact]
    public void Mutated_files_of_every_format_are_read_or_refused_with_the_documented_exception_within_bounds()
    {
        var child = ChildProcessRunner.Run(TimeSpan.FromMinutes(10), FormatFuzzer.Command, CasesPerFormat.ToString(CultureInfo.InvariantCulture), "20261206");
        string[] lines = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string line in lines.Where(l => l.StartsWith("TALLY", StringComparison.Ordinal) || l.StartsWith("FORMAT", StringComparison.Ordinal) || l.StartsWith("CAP", StringComparison.Ordinal)))
            output.WriteLine(line);
        string lastCase = lines.LastOrDefault(l => l.StartsWith("case ", StringComparison.Ordinal)) ?? "(none)";

        Assert.True(child.ExitCode != 4, $"a case ran past the watchdog: {lastCase}");
        string[] undocumented = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("UNDOCUMENTED", StringComparison.Ordinal))
            .Select(x => lines[x.i - 1] + " → " + x.l).ToArray();
        Assert.True(undocumented.Length == 0, "cases that ended in an undocumented exception:\n" + string.Join("\n", undocumented));
        Assert.True(child.ExitCode == 0, $"the child process died (exit code {child.ExitCode}) at {lastCase}: {child.StandardError}");
        string[] formats = lines.Where(l => l.StartsWith("FORMAT", StringComparison.Ordinal)).ToArray();
        Assert.Equal(FormatFuzzer.Formats, formats.Select(f => f.Split(' ')[1]));
        foreach (string format in formats)
        {
            Assert.Contains($"cases={CasesPerFormat}", format);
            Assert.True(Field(format, "slowest_ms") < MaxCaseMilliseconds, format);
            Assert.True(Field(format, "most_managed_mib") < MaxCaseMebibytes, format);
            Assert.True(Field(format, "most_resident_mib") < MaxCaseMebibytes, format);
        }
        // Every format must see both outcomes, or the mutations did not reach its parser (or never left it intact).
        foreach (string format in FormatFuzzer.Formats)
            Assert.Contains(lines, l => l.StartsWith($"TALLY {format} ", StringComparison.Ordinal) && l.Contains(" documented ", StringComparison.Ordinal));
    }

    private static double Field(string line, string name) =>
        double.Parse(line.Split(' ').Single(p => p.StartsWith(name + "=", StringComparison.Ordinal)).Split('=')[1], CultureInfo.InvariantCulture);
}
