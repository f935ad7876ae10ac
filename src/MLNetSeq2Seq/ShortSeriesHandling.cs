namespace MLNetSeq2Seq;

/// <summary>What the window functions do with a series too short for its windows (<see cref="SequenceWindowOptions.ShortSeries"/>).</summary>
public enum ShortSeriesHandling
{
    /// <summary>An error naming the series, its row count and the rows needed.</summary>
    Throw,

    /// <summary>The series gives no windows; the number skipped (and the first ids) is logged on the MLContext's log.
    /// Still an error when no series is left.</summary>
    Skip,
}
