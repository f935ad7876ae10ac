using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MLNetSeq2Seq.Networks;
using Xunit;

namespace MLNetSeq2Seq.Tests.Networks;

/// <summary>Network families are plug-ins behind one registry: every public family value has exactly one descriptor,
/// the Python reference builds the same set, an unknown value is an error, and nothing outside the registry branches on
/// the family.</summary>
public sealed class NetworkFamilyRegistryTests
{
    [Fact]
    public void Every_public_family_has_exactly_one_registered_descriptor()
    {
        var registered = NetworkFamilies.All.Select(f => f.Id).ToList();

        Assert.Equal(registered.Distinct().Count(), registered.Count);
        Assert.Equal(Enum.GetValues<NetworkFamily>().OrderBy(f => f), registered.OrderBy(f => f));
        foreach (NetworkFamily family in Enum.GetValues<NetworkFamily>())
            Assert.Equal(family, NetworkFamilies.Get(family).Id);
    }

    [Fact]
    public void An_unknown_family_is_an_error_in_options_in_the_registry_and_in_files()
    {
        var unknown = (NetworkFamily)97;

        var fromRegistry = Assert.Throws<ArgumentOutOfRangeException>(() => NetworkFamilies.Get(unknown));
        Assert.Contains("97", fromRegistry.Message);
        Assert.Throws<InvalidDataException>(() => NetworkFamilies.Read(unknown));
        var fromOptions = Assert.Throws<ArgumentOutOfRangeException>(() => new Seq2SeqOptions { Family = unknown }.Validate());
        Assert.Equal(nameof(Seq2SeqOptions.Family), fromOptions.ParamName);
    }

    [Fact]
    public void The_Python_reference_registers_the_same_families_with_the_descriptors_class_names()
    {
        string source = File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "python", "mlnetseq2seq_reference.py"));
        Match block = Regex.Match(source, @"^FAMILIES = \{(?<body>[^}]*)\}", RegexOptions.Multiline);
        Assert.True(block.Success, "python/mlnetseq2seq_reference.py has no FAMILIES = {...} registry");
        var python = Regex.Matches(block.Groups["body"].Value, @"""(?<id>\w+)"":\s*(?<cls>\w+)")
            .ToDictionary(m => m.Groups["id"].Value, m => m.Groups["cls"].Value);

        var csharp = NetworkFamilies.All.ToDictionary(f => f.Id.ToString(), f => f.PythonClassName);
        Assert.Equal(csharp.OrderBy(p => p.Key), python.OrderBy(p => p.Key));
        foreach (string cls in python.Values)
            Assert.Matches(new Regex($@"^class {cls}\(", RegexOptions.Multiline), source);
    }

    [Fact]
    public void No_code_outside_the_family_folders_and_the_registry_branches_on_the_family()
    {
        string src = Path.Combine(TestEnvironment.RepoRoot, "src", "MLNetSeq2Seq");
        var branch = new Regex(@"Family\s*[!=]=|case\s+NetworkFamily\.|NetworkFamily\.\w+\s*=>|Family\s+is\s+NetworkFamily");
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(path => Path.GetFileName(path) != "NetworkFamilies.cs")
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, i)))
            .Where(x => branch.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(src, x.path)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "branches on the family outside the registry:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void Each_family_checks_its_own_architecture_fields()
    {
        foreach (INetworkFamily family in NetworkFamilies.All)
        {
            var options = new Seq2SeqOptions { Family = family.Id };
            var architecture = NetworkArchitecture.From(options, 3, 3, 4, null, channelIndependent: false, inputLength: 32);

            Assert.Equal(family.Id, architecture.Family);
            Assert.Null(family.WhyInvalid(architecture));
            Assert.True(architecture.MinimumWeightBytes() > 0);
        }
        var segmented = NetworkArchitecture.From(new Seq2SeqOptions { Family = NetworkFamily.SegmentRecurrent, FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 4 } }, 3, 3, 4, null, false, inputLength: 8);
        Assert.NotNull(NetworkFamilies.Get(NetworkFamily.AutoregressiveEncoderDecoder).WhyInvalid(segmented with { Family = NetworkFamily.AutoregressiveEncoderDecoder }));
    }
}
