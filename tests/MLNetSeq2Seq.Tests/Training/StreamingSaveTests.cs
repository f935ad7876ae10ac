using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.TrainingData;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

/// <summary>mlContext.Data.SaveAsBinaryForStreaming: the rows as SaveAsBinary writes them plus an unread column that
/// shrinks the saver's blocks.</summary>
public sealed class StreamingSaveTests
{
    [Fact]
    public void The_saved_file_holds_the_same_rows_plus_a_column_of_zeros_of_the_returned_width()
    {
        using var folder = new TemporaryFolder();
        var ml = new MLContext(seed: 1);
        IDataView source = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(60, seed: 7));
        string path = folder.File("padded.idv");
        int padding;
        using (var stream = File.Create(path))
            padding = ml.Data.SaveAsBinaryForStreaming(source, stream, blockBytes: 64 << 10);

        IDataView loaded = ml.Data.LoadFromBinary(path);
        Assert.True(padding > 0);
        DataViewSchema.Column extra = loaded.Schema[StreamingPaddedView.ColumnName];
        Assert.Equal(padding, ((VectorDataViewType)extra.Type).Size);
        Assert.All(loaded.GetColumn<float[]>(extra), row => Assert.True(row.Length == padding && row.All(v => v == 0)));
        Assert.Equal(source.GetColumn<float[]>("Features").SelectMany(r => r), loaded.GetColumn<float[]>("Features").SelectMany(r => r));
        Assert.Equal(source.GetColumn<float[]>("Label").SelectMany(r => r), loaded.GetColumn<float[]>("Label").SelectMany(r => r));
    }

    [Fact]
    public void A_streamed_Fit_from_the_padded_file_gives_the_weights_of_one_from_a_plain_file()
    {
        using var folder = new TemporaryFolder();
        var ml = new MLContext(seed: 1);
        IDataView source = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(120, seed: 31));
        string plain = folder.File("plain.idv"), padded = folder.File("padded.idv");
        using (var stream = File.Create(plain))
            ml.Data.SaveAsBinary(source, stream);
        using (var stream = File.Create(padded))
            Assert.True(ml.Data.SaveAsBinaryForStreaming(source, stream, blockBytes: 64 << 10) > 0);

        var fromPlain = Train(plain);
        var fromPadded = Train(padded);
        Assert.Equal(0, TrainingTestKit.MaxRelativeDifference(fromPadded, fromPlain));

        static System.Collections.Generic.Dictionary<string, TorchSharp.torch.Tensor> Train(string path)
        {
            var context = new MLContext(seed: 1);
            var options = SyntheticSequences.SmallOptions(2);
            options.Streaming = new() { ShufflePoolRows = 16 };
            options.ValidationFraction = 0.2;
            using var model = context.Regression.Trainers.Seq2Seq(options).Fit(context.Data.LoadFromBinary(path));
            return TrainingTestKit.Weights(model);
        }
    }

    [Theory]
    [InlineData(224L, 65_536L)]
    [InlineData(12_096L, 8L << 20)]
    [InlineData(12_096L, 1L << 20)]
    [InlineData(40_000L, 65_536L)]
    public void The_padding_makes_the_savers_byte_budget_cut_blocks_of_at_most_the_asked_bytes(long rowBytes, long blockBytes)
    {
        int padding = StreamingPaddedView.PaddingFor(rowBytes, blockBytes);
        // The saver's rule: a block ends when its bytes reach 80 MiB or its rows 8,192.
        long rowsPerBlock = Math.Min(8192, (80L << 20) / (rowBytes + 4L * padding));
        Assert.True(rowsPerBlock * rowBytes <= Math.Max(blockBytes, rowBytes), $"{rowsPerBlock} rows of {rowBytes} bytes per block with {padding} padding floats");
        // And no wider than needed: without the last float, the block would be too big (when padding is needed at all).
        if (padding > 0)
            Assert.True(Math.Min(8192, (80L << 20) / (rowBytes + 4L * (padding - 1))) * rowBytes > blockBytes - rowBytes * 2);
    }

    [Fact]
    public void Narrow_rows_need_no_padding_and_a_tiny_block_size_is_refused_naming_the_argument()
    {
        Assert.Equal(0, StreamingPaddedView.PaddingFor(rowBytes: 100, blockBytes: 8L << 20)); // 8,192 rows of 100 bytes < 8 MiB
        var ml = new MLContext(seed: 1);
        IDataView source = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(4, seed: 7));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Data.SaveAsBinaryForStreaming(source, new MemoryStream(), blockBytes: 1000));
        Assert.Equal("blockBytes", error.ParamName);
    }
}
