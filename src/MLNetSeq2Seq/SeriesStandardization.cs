namespace MLNetSeq2Seq;

/// <summary>Which rows the z-score statistics of a chronological split come from, with many series
/// (<see cref="SequenceWindowOptions.SeriesStandardization"/>).</summary>
public enum SeriesStandardization
{
    /// <summary>One mean and standard deviation per column over the training rows of every series together.</summary>
    Global,

    /// <summary>Each series' own mean and standard deviation per column, over its own training rows
    /// (<see cref="PerSeriesStatistics"/>); every series is standardized with its own.</summary>
    PerSeries,
}
