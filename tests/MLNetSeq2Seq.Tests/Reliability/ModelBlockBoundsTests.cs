using System;
using System.IO;
using System.Text;
using MLNetSeq2Seq.Windows;
using MLNetSeq2Seq.Forecasting;
using Xunit;
using Xunit.Abstractions;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>
/// The readers of a model body's blocks check a count read from the file against the bytes left in the (checksummed)
/// block before they allocate for it: a forged count is an <see cref="InvalidDataException"/> (a FormatException
/// through Model.Load), refused in under a second with under 50 MiB of allocation. Each case is a block whose count field
/// was set near its reader's upper bound, with a few bytes after it, read by the model file's own readers.
/// </summary>
public sealed class ModelBlockBoundsTests
{
    private readonly ITestOutputHelper _output;

    public ModelBlockBoundsTests(ITestOutputHelper output) => _output = output;

    private static BinaryReader Block(Action<BinaryWriter> write)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            write(writer);
        return new BinaryReader(new MemoryStream(stream.ToArray(), writable: false), Encoding.UTF8);
    }

    private static void WriteSeries(BinaryWriter writer)
    {
        writer.Write(30);                        // input length
        writer.Write(3);                         // input columns
        foreach (string name in new[] { "A", "B", "C" })
            writer.Write(name);
        writer.Write(2);                         // target columns
        foreach (string name in new[] { "B", "A" })
            writer.Write(name);
        writer.Write(false);                     // no statistics
    }

    private void AssertRefusedCheaply(Action read, string messagePart)
    {
        var refusal = RefusalMeter.Measure(read);
        _output.WriteLine(refusal.ToString());
        Assert.True(refusal.Error is InvalidDataException, refusal.ToString());
        Assert.Contains(messagePart, refusal.Error!.Message);
        Assert.True(refusal.Elapsed < RefusalMeter.MaxTime, refusal.ToString());
        Assert.True(refusal.ManagedBytes < RefusalMeter.MaxGrowthBytes, refusal.ToString());
    }

    [Fact]
    public void Per_series_statistics_claiming_2_pow_24_series_are_refused_before_allocating_them()
    {
        // Before: 2^24 ids and 2 × 2^24 × 3 doubles were allocated (about 900 MiB) before the first read failed.
        using var reader = Block(w =>
        {
            WriteSeries(w);
            w.Write(true);       // has many series
            w.Write("Series");   // series column
            w.Write(1 << 24);    // series count
            w.Write("north");
        });
        TrainingSeries series = TrainingSeries.Read(reader);

        AssertRefusedCheaply(() => series.ReadManySeries(reader), "the per-series statistics claims 16777216 entries");
    }

    [Fact]
    public void Series_statistics_claiming_2_pow_20_columns_are_refused_before_allocating_them()
    {
        using var reader = Block(w =>
        {
            w.Write(30);
            w.Write(1);
            w.Write("A");
            w.Write(1);
            w.Write("A");
            w.Write(true);       // has statistics
            w.Write(1 << 20);    // columns
            w.Write("A");
        });

        AssertRefusedCheaply(() => TrainingSeries.Read(reader), "the series statistics claims 1048576 entries");
    }

    [Fact]
    public void A_quantile_calibration_claiming_pairs_times_H_times_O_offsets_is_refused_before_allocating_them()
    {
        // One central pair (0.1, 0.9), Horizon 2^20, 2^10 outputs: 2^30 offsets, 4 GiB, claimed by an 8-byte block.
        using var reader = Block(w =>
        {
            w.Write(12);         // windows
            w.Write(1 << 30);    // offsets
            w.Write(0f);
        });

        AssertRefusedCheaply(() => QuantileCalibration.Read(reader, new[] { 0.1, 0.5, 0.9 }, 1 << 20, 1 << 10), "the quantile calibration claims 1073741824 entries");
    }

    [Fact]
    public void A_future_spec_claiming_2_pow_24_holidays_is_refused_before_allocating_them()
    {
        using var reader = Block(w =>
        {
            w.Write(1);          // future columns
            w.Write("Promo");
            w.Write((int)CalendarFeatures.Holiday);
            w.Write(1 << 24);    // holidays (128 MiB of DateTime)
            w.Write(DateTime.UnixEpoch.Ticks);
        });

        AssertRefusedCheaply(() => FutureFeatureSpec.Read(reader), "the holidays claims 16777216 entries");
    }

    [Fact]
    public void Counts_that_the_bytes_left_can_hold_are_still_read()
    {
        // The guard is a lower bound on each entry's size: a real block of two series passes it and reads back.
        using var reader = Block(w =>
        {
            WriteSeries(w);
            w.Write(true);
            w.Write("Series");
            w.Write(2);
            foreach (string id in new[] { "north", "south" })
            {
                w.Write(id);
                for (int c = 0; c < 3; c++)
                {
                    w.Write(10.0 + c);   // mean
                    w.Write(2.0 + c);    // standard deviation
                }
            }
        });

        TrainingSeries series = TrainingSeries.Read(reader).ReadManySeries(reader);

        Assert.Equal(new[] { "north", "south" }, series.PerSeriesStatistics!.SeriesIds);
        Assert.Equal(reader.BaseStream.Length, reader.BaseStream.Position);
    }
}
