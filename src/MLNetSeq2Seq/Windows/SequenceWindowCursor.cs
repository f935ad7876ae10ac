using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Windows;

/// <summary>
/// Walks the windows of a <see cref="SequenceWindowDataView"/> in order (or in a shuffled order), building the
/// feature and label vectors of the current window only when their getters are called. A row's id is its window
/// index, whatever the order.
/// </summary>
internal sealed class SequenceWindowCursor : DataViewRowCursor
{
    private readonly SequenceWindowDataView _view;
    private readonly bool[] _active;
    private readonly int[]? _order;
    private long _position = -1;
    private int _window = -1;
    private bool _done;

    /// <param name="view">The windows.</param>
    /// <param name="active">Requested columns, indexed like the view's schema.</param>
    /// <param name="order">Window indices in the order to serve them; null for 0, 1, 2, ….</param>
    public SequenceWindowCursor(SequenceWindowDataView view, bool[] active, int[]? order)
    {
        _view = view;
        _active = active;
        _order = order;
    }

    /// <inheritdoc/>
    public override DataViewSchema Schema => _view.Schema;

    /// <inheritdoc/>
    public override long Position => _position;

    /// <inheritdoc/>
    public override long Batch => 0;

    /// <inheritdoc/>
    public override bool IsColumnActive(DataViewSchema.Column column) => _active[Checked(column)];

    /// <inheritdoc/>
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        int index = Checked(column);
        if (!_active[index])
            throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; request it when creating the cursor.");
        Delegate getter;
        if (index == _view.FeaturesColumn)
            getter = (ValueGetter<VBuffer<float>>)GetFeatures;
        else if (index == _view.LabelColumn)
            getter = (ValueGetter<VBuffer<float>>)GetLabel;
        else if (index == _view.WindowStartColumn)
            getter = (ValueGetter<long>)GetWindowStart;
        else if (index == _view.FutureFeaturesColumn)
            getter = (ValueGetter<VBuffer<float>>)GetFutureFeatures;
        else if (index == _view.TimestampColumn)
            getter = _view.PassThrough!.Getter(() => _view.TableRow(CurrentWindow(), 0));
        else if (index == _view.SeriesColumn)
            getter = _view.SeriesIds!.Getter(() => _view.TableRow(CurrentWindow(), 0));
        else if (_view.IsTrailing)
            getter = (ValueGetter<DateTime>)((ref DateTime value) => value = _view.ForecastStart(CurrentWindow()));
        else
            getter = _view.PassThrough!.Getter(() => _view.TableRow(CurrentWindow(), _view.InputLength));
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}; it cannot be read as {typeof(TValue).Name}.");
    }

    /// <inheritdoc/>
    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)CurrentWindow(), 0);

    /// <inheritdoc/>
    public override bool MoveNext()
    {
        if (_done || _position + 1 >= _view.WindowCount)
        {
            // Once past the end, a cursor stays there.
            _done = true;
            _position = -1;
            _window = -1;
            return false;
        }
        _position++;
        _window = _order is null ? (int)_position : _order[_position];
        return true;
    }

    private int CurrentWindow() => _window >= 0
        ? _window
        : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first, and read only while it returns true.");

    private int Checked(DataViewSchema.Column column)
    {
        if (column.Index < 0 || column.Index >= _active.Length || _view.Schema[column.Index].Name != column.Name)
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' is not a column of these windows.");
        return column.Index;
    }

    private void GetFeatures(ref VBuffer<float> value)
    {
        int window = CurrentWindow();
        var editor = VBufferEditor.Create(ref value, _view.FeatureLength);
        _view.CopyFeatures(window, editor.Values);
        value = editor.Commit();
    }

    private void GetLabel(ref VBuffer<float> value)
    {
        int window = CurrentWindow();
        var editor = VBufferEditor.Create(ref value, _view.LabelLength);
        _view.CopyLabel(window, editor.Values);
        value = editor.Commit();
    }

    private void GetFutureFeatures(ref VBuffer<float> value)
    {
        int window = CurrentWindow();
        var editor = VBufferEditor.Create(ref value, _view.FutureLength);
        _view.CopyFutureFeatures(window, editor.Values);
        value = editor.Commit();
    }

    private void GetWindowStart(ref long value) => value = _view.StartRow(CurrentWindow());
}
