using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Tests.ChildProcess;
using Xunit;

namespace MLNetSeq2Seq.Tests.Reliability;

public sealed class ModelFuzzTests
{
    private const int Cases = 600;

    [Fact]
    public void Random_bit_flips_in_a_saved_model_never_crash_and_either_load_identically_or_throw()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(48, seed: 5));
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);
        options.HiddenSize = 4;
        using var folder = new TemporaryFolder();
        string path = folder.File("tiny.zip");
        using (Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(data))
            ml.Model.Save(model, data.Schema, path);

        // In a child process: a native crash there fails this test with its case instead of taking the test run down.
        var child = ChildProcessRunner.Run(TimeSpan.FromMinutes(6), ModelFuzzer.Command, path, Cases.ToString(), "20240611");

        string[] lines = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string lastCase = lines.LastOrDefault(l => l.StartsWith("case ", StringComparison.Ordinal)) ?? "(none)";
        Assert.True(child.ExitCode != 4, $"a load ran for ever: {lastCase}");
        Assert.True(child.ExitCode is 0 or 3, $"the child process died (exit code {child.ExitCode}) at {lastCase}: {child.StandardError}");
        Assert.DoesNotContain(lines, l => l.Contains("DIFFERENT"));
        string summary = Assert.Single(lines, l => l.StartsWith("SUMMARY", StringComparison.Ordinal));
        int[] counts = summary.Split(' ').Skip(1).Select(part => int.Parse(part.Split('=')[1])).ToArray();
        int identical = counts[0], forgedLoaded = counts[1], threw = counts[2];
        Assert.Equal($"SUMMARY identical={identical} forged-loaded={forgedLoaded} threw={threw} different=0", summary);
        Assert.Equal(Cases, identical + forgedLoaded + threw);
        Assert.True(identical > 0 && threw > 0, summary); // both kinds happen: the flips reach harmless and vital bytes
        Assert.Equal(0, child.ExitCode);
    }
}
