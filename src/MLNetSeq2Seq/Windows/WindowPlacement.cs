using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetSeq2Seq.Windows;

/// <summary>
/// Where each window of a <see cref="SequenceWindowDataView"/> lies: windows are numbered series after series (in the
/// table's series order), and within a series by start row. Each series contributes the windows that fit in its own
/// range of rows [First, End), counted within that series, so no window crosses from one series into another.
/// With one series (no series column) this is the plain arithmetic start = First + k × Stride.
/// </summary>
internal sealed class WindowPlacement
{
    private readonly SeriesSegment[] _segments;
    private readonly long[] _firstStarts;
    // Window index of each series' first window; one more entry holding the total.
    private readonly int[] _offsets;
    private readonly long _rowBase;
    private readonly int _stride;

    private WindowPlacement(SeriesSegment[] segments, long[] firstStarts, int[] counts, long rowBase, int stride)
    {
        _segments = segments;
        _firstStarts = firstStarts;
        _rowBase = rowBase;
        _stride = stride;
        _offsets = new int[counts.Length + 1];
        for (int s = 0; s < counts.Length; s++)
            _offsets[s + 1] = checked(_offsets[s] + counts[s]);
    }

    /// <summary>Every window of L + H rows with start First + k × stride and end ≤ End, in each range.</summary>
    public static WindowPlacement Labelled(IReadOnlyList<WindowRange> ranges, long rowBase, int inputLength, int horizon, int stride)
    {
        long windowRows = (long)inputLength + horizon;
        int[] counts = ranges.Select(r => r.End - r.First < windowRows ? 0 : checked((int)((r.End - r.First - windowRows) / stride + 1))).ToArray();
        return new WindowPlacement(ranges.Select(r => r.Segment).ToArray(), ranges.Select(r => r.First).ToArray(), counts, rowBase, stride);
    }

    /// <summary>The last <paramref name="count"/> windows of each range whose inputs end at its End (each range was
    /// checked to hold L + (count − 1) × stride rows).</summary>
    public static WindowPlacement Trailing(IReadOnlyList<WindowRange> ranges, long rowBase, int inputLength, int stride, int count) =>
        new(ranges.Select(r => r.Segment).ToArray(), ranges.Select(r => r.End - inputLength - (long)(count - 1) * stride).ToArray(),
            ranges.Select(_ => count).ToArray(), rowBase, stride);

    public int WindowCount => _offsets[^1];

    /// <summary>The series that window <paramref name="window"/> belongs to (its index among the placed series).</summary>
    public int SeriesIndex(int window)
    {
        if ((uint)window >= (uint)WindowCount)
            throw new ArgumentOutOfRangeException(nameof(window), window, $"Window {window} is not one of the {WindowCount} windows.");
        int s = Array.BinarySearch(_offsets, window);
        if (s < 0)
            return ~s - 1;
        // Several entries equal window when series before it have no windows: take the last, the series that starts there.
        while (s + 1 < _segments.Length && _offsets[s + 1] == window)
            s++;
        return s;
    }

    public SeriesSegment Segment(int window) => _segments[SeriesIndex(window)];

    /// <summary>The series row (counted within its series, as FirstRow is for one series) of the window's first input step.</summary>
    public long StartRow(int window)
    {
        int s = SeriesIndex(window);
        return _firstStarts[s] + (long)(window - _offsets[s]) * _stride;
    }

    /// <summary>The table row of the window's first input step, plus <paramref name="offset"/> rows.</summary>
    public int TableRow(int window, int offset)
    {
        int s = SeriesIndex(window);
        return _segments[s].TableStart + (int)(_firstStarts[s] + (long)(window - _offsets[s]) * _stride - _rowBase) + offset;
    }

    /// <summary>The table row of every window's first input step, in window order.</summary>
    public long[] TableStarts()
    {
        var starts = new long[WindowCount];
        for (int s = 0; s < _segments.Length; s++)
            for (int k = _offsets[s]; k < _offsets[s + 1]; k++)
                starts[k] = _segments[s].TableStart + _firstStarts[s] - _rowBase + (long)(k - _offsets[s]) * _stride;
        return starts;
    }
}

/// <summary>Series rows [First, End) of one series (counted within it) that windows may use.</summary>
internal readonly record struct WindowRange(SeriesSegment Segment, long First, long End);
