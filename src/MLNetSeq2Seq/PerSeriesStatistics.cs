using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetSeq2Seq;

/// <summary>
/// Z-score statistics for each series of a long-form data set (<see cref="SequenceWindowOptions.SeriesColumnName"/>):
/// one <see cref="SeriesStatistics"/> per series id, each over that series' own training rows. Made by
/// <see cref="Seq2SeqCatalog.SplitSequenceWindowsChronologically"/> with
/// <see cref="SequenceWindowOptions.SeriesStandardization"/> = <see cref="SeriesStandardization.PerSeries"/>; given back
/// through <see cref="SequenceWindowOptions.PerSeriesStandardization"/> to cut later windows (new data, trailing
/// windows) with the same statistics; saved with a model trained on such windows (<see cref="TrainingSeries.PerSeriesStatistics"/>).
/// </summary>
public sealed class PerSeriesStatistics
{
    private readonly string[] _ids;
    private readonly Dictionary<string, SeriesStatistics> _byId;

    /// <summary>Statistics given directly, for example saved from an earlier run.</summary>
    /// <param name="statistics">Series id (as <see cref="SequenceWindowOptions.SeriesColumnName"/> reads it: text as is,
    /// a number or key in invariant notation) → its statistics. All must cover the same columns, in the same order.</param>
    /// <exception cref="ArgumentException">No series, a blank id, or statistics of different columns.</exception>
    public PerSeriesStatistics(IEnumerable<KeyValuePair<string, SeriesStatistics>> statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        _byId = new Dictionary<string, SeriesStatistics>(StringComparer.Ordinal);
        var ids = new List<string>();
        foreach (var (id, value) in statistics)
        {
            if (string.IsNullOrWhiteSpace(id))
                throw new ArgumentException("A series id is blank.", nameof(statistics));
            ArgumentNullException.ThrowIfNull(value, $"statistics['{id}']");
            if (!_byId.TryAdd(id, value))
                throw new ArgumentException($"Series '{id}' is given twice.", nameof(statistics));
            if (ids.Count > 0 && !value.ColumnNames.SequenceEqual(_byId[ids[0]].ColumnNames))
                throw new ArgumentException($"Series '{id}' has statistics of {string.Join(", ", value.ColumnNames)}, but series '{ids[0]}' of {string.Join(", ", _byId[ids[0]].ColumnNames)}; all must cover the same columns.", nameof(statistics));
            ids.Add(id);
        }
        if (ids.Count == 0)
            throw new ArgumentException("Per-series statistics need at least one series.", nameof(statistics));
        _ids = ids.ToArray();
    }

    /// <summary>The series ids, in the order given (for a split: order of first appearance in the data).</summary>
    public IReadOnlyList<string> SeriesIds => _ids;

    /// <summary>The columns every series' statistics cover, in order.</summary>
    public IReadOnlyList<string> ColumnNames => _byId[_ids[0]].ColumnNames;

    /// <summary>The statistics of one series.</summary>
    /// <exception cref="KeyNotFoundException">No statistics for that id; the message lists some that exist.</exception>
    public SeriesStatistics this[string seriesId] => TryGet(seriesId, out SeriesStatistics? statistics) ? statistics!
        : throw new KeyNotFoundException($"No statistics for series '{seriesId}'; there are {_ids.Length} series, for example {string.Join(", ", _ids.Take(5).Select(i => $"'{i}'"))}.");

    /// <summary>The statistics of one series, when there are any.</summary>
    public bool TryGet(string seriesId, out SeriesStatistics? statistics) => _byId.TryGetValue(seriesId, out statistics);
}
