using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.PyTorch;
using MLNetSeq2Seq.Tests.ChildProcess;
using MLNetSeq2Seq.Tests.Reliability;
using Xunit;

namespace MLNetSeq2Seq.Tests.PyTorch;

/// <summary>
/// A crafted interchange file cannot make the import build a network its tensors do not hold: the architecture's size
/// is checked against the tensors in the file before anything is built. Each case runs in a child process that does
/// nothing else, so its peak resident memory shows native allocations (a network built from the claim) as well.
/// </summary>
public sealed class PyTorchImportBoundsTests
{
    internal const string Command = "import-crafted-interchange-files";

    private static readonly NetworkArchitecture s_small = new(2, 2, 4, HiddenSize: 8, LayerCount: 1, RecurrentCellType.Gru,
        Bidirectional: false, AttentionKind.None, Dropout: 0);

    [Fact]
    public void Crafted_files_claiming_huge_networks_or_data_are_refused_in_under_a_second_with_under_50_MiB()
    {
        var result = ChildProcessRunner.Run(TimeSpan.FromMinutes(3), Command);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");

        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(Cases().Select(c => c.Name), lines.Select(l => l[0]));
        foreach (string[] line in lines)
        {
            string report = string.Join(" | ", line);
            Assert.True(line[1] == nameof(FormatException), report);
            Assert.True(double.Parse(line[2], CultureInfo.InvariantCulture) < RefusalMeter.MaxTime.TotalMilliseconds, report);
            Assert.True(long.Parse(line[3], CultureInfo.InvariantCulture) < RefusalMeter.MaxGrowthBytes, report);
            Assert.True(long.Parse(line[4], CultureInfo.InvariantCulture) < RefusalMeter.MaxGrowthBytes, report);
        }
        Assert.Contains("layers", lines[0][5]);
        Assert.Contains("bytes of weights", lines[1][5]);
    }

    /// <summary>The crafted files: name, bytes, and whether the stream can seek.</summary>
    private static IEnumerable<(string Name, byte[] File, bool Seekable)> Cases()
    {
        var oneTensor = new Dictionary<string, SafeTensor> { ["w"] = new(new long[] { 4 }, new float[4]) };
        yield return ("layer_count 1600", Interchange(s_small with { HiddenSize = 1, LayerCount = 1600 }, oneTensor), true);
        yield return ("hidden_size 4096", Interchange(s_small with { HiddenSize = 4096 }, oneTensor), true);
        // Valid metadata, then a tensor claiming 1.2 GB (seekable and not) and one claiming 4 GB.
        yield return ("1.2 GB tensor, stream cannot seek", WithForgedTensor(300_000_000), false);
        yield return ("1.2 GB tensor, seekable", WithForgedTensor(300_000_000), true);
        yield return ("4 GB tensor, stream cannot seek", WithForgedTensor(1_000_000_000), false);
    }

    private static byte[] Interchange(NetworkArchitecture architecture, Dictionary<string, SafeTensor> tensors)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = PyTorchInterchange.Format,
            ["format_version"] = PyTorchInterchange.FormatVersion,
            ["architecture"] = ArchitectureJson.Write(architecture),
            ["feature_column_name"] = "Features",
            ["score_column_name"] = "Score",
        };
        using var stream = new MemoryStream();
        new SafeTensorsFile(metadata, tensors).Write(stream);
        return stream.ToArray();
    }

    // A real small interchange file whose only tensor's shape and end offset are rewritten in place: the header keeps its
    // length (the new numbers are padded with spaces), the data stays 16 bytes.
    private static byte[] WithForgedTensor(long values)
    {
        byte[] file = Interchange(s_small, new Dictionary<string, SafeTensor> { ["w"] = new(new long[] { 4 }, new float[4]) });
        string text = System.Text.Encoding.Latin1.GetString(file);
        string original = "\"shape\":[4],\"data_offsets\":[0,16]}";
        string forged = $"\"shape\":[{values}],\"data_offsets\":[0,{4 * values}]}}";
        int at = text.IndexOf(original, StringComparison.Ordinal);
        int headerEnd = 8 + (int)BitConverter.ToUInt64(file, 0);
        Assert.True(at > 0, "the export's header layout changed");
        string header = text[8..headerEnd].Replace(original, forged).TrimEnd();
        header = header.PadRight((header.Length + 7) / 8 * 8);
        var bytes = new List<byte>(BitConverter.GetBytes((ulong)header.Length));
        bytes.AddRange(System.Text.Encoding.Latin1.GetBytes(header));
        bytes.AddRange(file.AsSpan(headerEnd).ToArray());
        return bytes.ToArray();
    }

    /// <summary>Child: warms the import up on a valid file, then imports each crafted file and prints one line per case:
    /// name, exception type, milliseconds, managed bytes, peak resident growth, message.</summary>
    internal static int RunInChild(string[] args)
    {
        var ml = new MLContext(seed: 1);
        using (Seq2SeqTransformer warm = InterchangeKit.Untrained(s_small))
        using (var stream = new MemoryStream())
        {
            ml.Model.ExportSeq2SeqToPyTorch(warm, stream);
            stream.Position = 0;
            ml.Model.ImportSeq2SeqFromPyTorch(stream).Dispose();
        }
        foreach (var (name, file, seekable) in Cases())
        {
            using Stream stream = seekable ? new MemoryStream(file, writable: false) : new ForwardOnlyStream(file);
            var refusal = RefusalMeter.Measure(() => ml.Model.ImportSeq2SeqFromPyTorch(stream).Dispose());
            string message = (refusal.Error?.Message ?? "").ReplaceLineEndings(" ").Replace('\t', ' ');
            Console.WriteLine(string.Join('\t', name, refusal.Error?.GetType().Name ?? "none",
                refusal.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture),
                refusal.ManagedBytes.ToString(CultureInfo.InvariantCulture), refusal.PeakResidentGrowth.ToString(CultureInfo.InvariantCulture), message));
        }
        return 0;
    }
}
