using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// One pass of a <see cref="StreamedView"/> over a range of its kept rows: skips the data rows before the range
/// without reading them, drops the rows the first pass dropped, and stops after the range. Owns its cursor.
/// </summary>
internal sealed class StreamedRowReader : IDisposable
{
    private readonly DataViewRowCursor _cursor;
    private readonly ValueGetter<VBuffer<float>> _getFeatures;
    private readonly ValueGetter<VBuffer<float>> _getLabels;
    private long _startRow;
    private int _count;
    private readonly StreamedView _view;
    private VBuffer<float> _features;
    private VBuffer<float> _labels;
    private long _row = -1; // data row number of the cursor's position
    private int _delivered;

    internal StreamedRowReader(DataViewRowCursor cursor, ValueGetter<VBuffer<float>> getFeatures, ValueGetter<VBuffer<float>> getLabels,
        long startRow, int count, StreamedView view)
    {
        _cursor = cursor;
        _getFeatures = getFeatures;
        _getLabels = getLabels;
        _startRow = startRow;
        _count = count;
        _view = view;
    }

    /// <summary>The data row number the cursor is on (−1 before the first).</summary>
    public long Position => _row;

    /// <summary>The same cursor over a new range further on: from data row <paramref name="startRow"/> (after <see cref="Position"/>), <paramref name="count"/> kept rows.</summary>
    public StreamedRowReader Continue(long startRow, int count)
    {
        if (startRow <= _row)
            throw new ArgumentOutOfRangeException(nameof(startRow), startRow, $"The cursor is already at row {_row}.");
        _startRow = startRow;
        _count = count;
        _delivered = 0;
        return this;
    }

    /// <summary>Moves to the next kept row of the range; false after its last.</summary>
    public bool MoveNext()
    {
        if (_delivered == _count)
            return false;
        while (true)
        {
            if (!_cursor.MoveNext())
                throw new InvalidOperationException($"{_view.DataName} ended at row {_row + 1}, but the first pass read {_view.KeptRows} usable rows: "
                    + "streaming Fit reads the data once per epoch and needs it to give the same rows every time.");
            _row++;
            if (_row < _startRow)
                continue; // before the range: no values read
            _getFeatures(ref _features);
            _getLabels(ref _labels);
            if (_view.Accept(_features, _labels, _row))
            {
                _delivered++;
                return true;
            }
        }
    }

    /// <summary>Copies the current row's features (L × F values) and labels (H × O values), dense.</summary>
    public void CopyTo(Span<float> features, Span<float> labels)
    {
        _features.CopyTo(features);
        _labels.CopyTo(labels);
    }

    public void Dispose() => _cursor.Dispose();
}
