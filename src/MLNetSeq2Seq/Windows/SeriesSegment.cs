namespace MLNetSeq2Seq.Windows;

/// <summary>
/// One series of a <see cref="SeriesTable"/>: its id (as text; "" when the table holds a single series without a
/// series column) and its rows, contiguous in the table from <see cref="TableStart"/>, in time order. A series row
/// r (0-based, counted within the series) is table row TableStart + r.
/// </summary>
internal readonly record struct SeriesSegment(string Id, int TableStart, int RowCount)
{
    public int TableEnd => TableStart + RowCount;

    /// <summary>The id for messages: quoted, or "the series" without a series column.</summary>
    public string Describe() => Id.Length == 0 ? "the series" : $"series '{Id}'";
}
