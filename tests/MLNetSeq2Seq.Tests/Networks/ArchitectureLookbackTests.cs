using System.IO;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.PyTorch;
using Xunit;

namespace MLNetSeq2Seq.Tests.Networks;

/// <summary>The architecture's lookback (the window length a family's weights are shaped for) goes through the binary
/// record and the JSON record, and a record written before it existed still reads, as lookback 0.</summary>
public sealed class ArchitectureLookbackTests
{
    private static NetworkArchitecture Sample(int lookback) =>
        new(3, 2, 4, 16, 1, RecurrentCellType.Gru, false, AttentionKind.None, 0, Family: NetworkFamily.SegmentRecurrent, SegmentLength: 2,
            TargetInputIndices: new[] { 0, 1 }, Lookback: lookback);

    [Fact]
    public void The_binary_record_keeps_the_lookback_and_older_records_read_as_zero()
    {
        NetworkArchitecture architecture = Sample(lookback: 24);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            architecture.Write(writer);

        stream.Position = 0;
        NetworkArchitecture read = NetworkArchitecture.Read(new BinaryReader(stream));
        Assert.Equal(24, read.Lookback);
        Assert.Equal(architecture, read);

        // The same bytes without the family block (an empty one: its length) and the lookback: a record from before
        // model format 0x0001000B.
        stream.SetLength(stream.Length - 2 * sizeof(int));
        stream.Position = 0;
        NetworkArchitecture older = NetworkArchitecture.Read(new BinaryReader(stream), ArchitectureRevision.FutureFeatures);
        Assert.Equal(0, older.Lookback);
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void A_negative_lookback_in_a_file_is_refused()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            Sample(lookback: -3).Write(writer);
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => NetworkArchitecture.Read(new BinaryReader(stream)));
        Assert.Contains("lookback -3", error.Message);
    }

    [Fact]
    public void The_JSON_record_keeps_the_lookback_and_a_record_without_it_reads_as_zero()
    {
        string json = ArchitectureJson.Write(Sample(lookback: 36));
        Assert.Equal(36, ArchitectureJson.Read(json).Lookback);

        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node.Remove("lookback");
        Assert.Equal(0, ArchitectureJson.Read(node.ToJsonString()).Lookback);

        node["lookback"] = -1;
        var error = Assert.Throws<InvalidDataException>(() => ArchitectureJson.Read(node.ToJsonString()));
        Assert.Contains("'lookback'", error.Message);
    }
}
