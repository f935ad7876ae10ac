using System;
using static MLNetSeq2Seq.OptionRules;

namespace MLNetSeq2Seq;

/// <summary>
/// Streaming Fit, for data larger than memory (<see cref="Seq2SeqOptions.Streaming"/>; null there, the default, reads
/// every row into memory once). Fit reads the rows again every epoch through ML.NET cursors, shuffled through a pool
/// of <see cref="ShufflePoolRows"/> rows, so memory stays at the pool plus one batch (rows × (L × F + H × O) × 4 bytes
/// each) plus what the data view's cursor holds, whatever the data's size. For a <c>SaveAsBinary</c> file the cursor's
/// part dominates: ML.NET's binary loader keeps about 13 blocks per column read in flight (2 cores; more with more
/// cores), and a block is 80 MiB across all the row's columns, about 1 GiB for rows of 12 KB; saving the rows with an
/// extra column of zeros that Fit does not read makes the blocks of the columns read smaller (README, "Data larger
/// than memory").
/// </summary>
/// <remarks>
/// Each epoch still visits every row once, in an order that depends only on (Seed, epoch): the same seed gives the
/// same weights, and checkpoints resume exactly. A pool that holds every training row gives the in-memory order,
/// hence the in-memory weights; a smaller pool mixes rows only within about that many rows of each other in the
/// data's order, so store the rows shuffled (or keep the pool large) when their order is not already mixed.
/// Validation rows are streamed too, in order. Costs: one extra pass to count and check the rows before training,
/// each epoch reads and converts every row again (slower than in memory; with ValidationFraction the held-out rows
/// continue the epoch's cursor), and the learning-rate range test is not available (set
/// <see cref="Seq2SeqOptions.LearningRate"/>). Feature and label columns must have a fixed size, and known-future
/// inputs (<see cref="Seq2SeqOptions.FutureFeatureColumnName"/>) are not read yet.
/// </remarks>
public sealed class StreamingOptions
{
    /// <summary>Rows held in the shuffle pool, at least 1. Unit: rows. Default 4096 (for rows of 96 × 7 inputs and
    /// 24 × 7 labels, about 13 MiB).</summary>
    public int ShufflePoolRows { get; set; } = 4096;

    /// <summary>Checks every setting and throws <see cref="ArgumentOutOfRangeException"/> naming the first one out of
    /// range by its path, "Streaming.ShufflePoolRows". <see cref="Seq2SeqOptions.Validate"/> calls it, and also checks
    /// the settings streaming cannot combine with.</summary>
    public void Validate() => RequirePositive(ShufflePoolRows, Path(nameof(ShufflePoolRows)));

    /// <summary>A copy, so Fit's copy of the options shares nothing with the caller's.</summary>
    internal StreamingOptions Clone() => (StreamingOptions)MemberwiseClone();

    /// <summary>"Streaming.{setting}": how messages name a setting of this group.</summary>
    internal static string Path(string setting) => nameof(Seq2SeqOptions.Streaming) + "." + setting;
}
