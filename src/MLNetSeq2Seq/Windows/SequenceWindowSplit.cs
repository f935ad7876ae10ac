using System.Collections.Generic;
using Microsoft.ML;

namespace MLNetSeq2Seq;

/// <summary>
/// The windows of one series split chronologically, made by <see cref="Seq2SeqCatalog.SplitSequenceWindowsChronologically"/>:
/// three views with the same columns, whose label (target) rows never overlap.
/// </summary>
public sealed class SequenceWindowSplit
{
    internal SequenceWindowSplit(IDataView train, IDataView validation, IDataView test, ChronologicalSplit boundaries, SeriesStatistics? statistics)
    {
        Train = train;
        Validation = validation;
        Test = test;
        Boundaries = boundaries;
        Statistics = statistics;
    }

    /// <summary>Windows whose inputs and targets all lie in the training rows [0, TrainEnd).</summary>
    public IDataView Train { get; }

    /// <summary>Windows whose targets all lie in [TrainEnd, ValidationEnd); their inputs may reach back into training rows.</summary>
    public IDataView Validation { get; }

    /// <summary>Windows whose targets all lie in [ValidationEnd, TestEnd); their inputs may reach back into validation rows.</summary>
    public IDataView Test { get; }

    /// <summary>The row boundaries used.</summary>
    public ChronologicalSplit Boundaries { get; }

    /// <summary>
    /// The per-column mean and standard deviation over the training rows [0, TrainEnd) that every value of all three
    /// views was standardized with; map predictions back with <see cref="SeriesStatistics.Unstandardize(System.ReadOnlySpan{float}, System.Collections.Generic.IReadOnlyList{string})"/>.
    /// Null when the split was made without standardization.
    /// </summary>
    public SeriesStatistics? Statistics { get; }

    /// <summary>
    /// With many series and <see cref="SeriesStandardization.PerSeries"/> (or <see cref="SequenceWindowOptions.PerSeriesStandardization"/>
    /// given): each series' statistics over its own training rows, which its values in all three views were
    /// standardized with (<see cref="Statistics"/> is then null). Otherwise null.
    /// </summary>
    public PerSeriesStatistics? PerSeriesStatistics { get; internal init; }

    /// <summary>
    /// With many series (<see cref="SequenceWindowOptions.SeriesColumnName"/>): each kept series' boundaries, in rows
    /// counted within that series (the same for all with fixed boundaries; from each series' length with fractions).
    /// <see cref="Boundaries"/> is then the first series'. Null for one series.
    /// </summary>
    public IReadOnlyDictionary<string, ChronologicalSplit>? SeriesBoundaries { get; internal init; }
}
