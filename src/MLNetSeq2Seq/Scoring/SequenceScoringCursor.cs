using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// A cursor that scores its input a block at a time: when it runs out of rows it reads up to a block of rows from
/// the input cursor, stores each row's active pass-through values, id and batch, scores the block with one
/// <see cref="ISequenceScorer.Score"/> call, then serves the block row by row. Used when the score is requested;
/// otherwise <see cref="PassThroughCursor"/> applies.
/// </summary>
internal sealed class SequenceScoringCursor : DataViewRowCursor
{
    private readonly SequenceScoringSchema _schema;
    private readonly DataViewRowCursor _input;
    private readonly RowValueCache?[] _caches;
    private readonly RowValueCache[] _activeCaches;
    private readonly ValueGetter<DataViewRowId> _inputIds;
    private readonly ValueGetter<VBuffer<float>> _inputFeatures;
    private readonly ValueGetter<VBuffer<float>>? _inputFuture;
    private VBuffer<float> _futureRow;
    private readonly int _blockSize;
    private DataViewRowId[] _ids = Array.Empty<DataViewRowId>();
    private long[] _batches = Array.Empty<long>();
    private readonly FeatureBlock _block;
    private readonly BlockSlot _slot = new();
    private VBuffer<float> _featureRow;
    // The input stands on a row that did not fit the previous block (another length); it opens the next one.
    private bool _inputRowPending;
    private bool _done;
    private long _position = -1;

    /// <summary>Wraps <paramref name="input"/>, which must have the features and every requested pass-through column active.</summary>
    /// <param name="schema">The scoring schema.</param>
    /// <param name="input">A cursor over the input data view.</param>
    /// <param name="passThrough">Requested pass-through columns, indexed like the input schema.</param>
    /// <param name="blockSize">Rows per Score call.</param>
    public SequenceScoringCursor(SequenceScoringSchema schema, DataViewRowCursor input, bool[] passThrough, int blockSize)
    {
        _schema = schema;
        _input = input;
        _caches = new RowValueCache?[passThrough.Length];
        int activeCount = 0;
        for (int i = 0; i < passThrough.Length; i++)
        {
            if (passThrough[i])
            {
                _caches[i] = RowValueCache.Create(input, input.Schema[i], blockSize, _slot);
                activeCount++;
            }
        }
        _activeCaches = new RowValueCache[activeCount];
        for (int i = 0, j = 0; i < _caches.Length; i++)
        {
            if (_caches[i] is RowValueCache cache)
                _activeCaches[j++] = cache;
        }
        _inputIds = input.GetIdGetter();
        _inputFeatures = input.GetGetter<VBuffer<float>>(input.Schema[schema.FeatureColumn.Index]);
        _blockSize = blockSize;
        if (schema.FutureColumn is DataViewSchema.Column future)
            _inputFuture = input.GetGetter<VBuffer<float>>(input.Schema[future.Index]);
        _block = new FeatureBlock(schema.Scorer, schema.FeatureColumnName, blockSize, schema.FutureColumnName);
    }

    /// <inheritdoc/>
    public override DataViewSchema Schema => _schema.Output;

    /// <inheritdoc/>
    public override long Position => _position;

    /// <summary>The input cursor's batch when it stood on the current row (ML.NET's consolidation orders rows by it).</summary>
    public override long Batch => _slot.Current >= 0 ? _batches[_slot.Current] : 0;

    /// <inheritdoc/>
    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        _schema.CheckOutputColumn(column);
        return _schema.IsScored(column.Index) || _caches[column.Index] is not null;
    }

    /// <inheritdoc/>
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        _schema.CheckOutputColumn(column);
        Delegate getter;
        if (column.Index == _schema.ScoreColumn.Index)
            getter = (ValueGetter<VBuffer<float>>)GetScore;
        else if (column.Index == _schema.QuantileColumn?.Index)
            getter = (ValueGetter<VBuffer<float>>)GetQuantiles;
        else
            getter = _caches[column.Index]?.Getter
                ?? throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; request it when creating the cursor.");
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException(SequenceScoringSchema.WrongValueType(column, typeof(TValue)));
    }

    /// <inheritdoc/>
    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = _ids[_slot.Checked()];

    /// <inheritdoc/>
    public override bool MoveNext()
    {
        if (_done)
            return false;
        if (_slot.Current + 1 < _block.RowCount)
        {
            _slot.Current++;
            _position++;
            return true;
        }
        _slot.Current = -1;
        bool read;
        try
        {
            read = ReadBlock();
        }
        catch
        {
            // A bad row or a failed Score call ends the cursor: the half-read block must never be served.
            _block.Clear();
            Finish();
            throw;
        }
        if (!read)
        {
            Finish();
            return false;
        }
        _slot.Current = 0;
        _position++;
        return true;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _slot.Current = -1;
            Finish();
        }
        base.Dispose(disposing);
    }

    private void Finish()
    {
        _done = true;
        _position = -1;
        _input.Dispose();
    }

    private void GetScore(ref VBuffer<float> value) => ScoreWriter.Write(_block.ScoresOf(_slot.Checked()).Slice(0, _schema.ScoreLength), ref value);

    private void GetQuantiles(ref VBuffer<float> value) => ScoreWriter.Write(_block.ScoresOf(_slot.Checked()).Slice(_schema.ScoreLength), ref value);

    // Fills the block from the input and scores it; false when the input has no rows left.
    private bool ReadBlock()
    {
        _block.Clear();
        while (_block.RowCount < _block.Capacity)
        {
            if (_inputRowPending)
                _inputRowPending = false;
            else if (_input.MoveNext())
            {
                _inputFeatures(ref _featureRow);
                _inputFuture?.Invoke(ref _futureRow);
            }
            else
                break;

            if (!_block.TryAdd(_featureRow, _futureRow, _input.Position))
            {
                _inputRowPending = true;
                break;
            }
            StoreInputRow(_block.RowCount - 1);
        }
        _block.Score();
        return _block.RowCount > 0;
    }

    private void StoreInputRow(int slot)
    {
        BlockRows.EnsureSlot(ref _ids, slot, _blockSize);
        BlockRows.EnsureSlot(ref _batches, slot, _blockSize);
        _inputIds(ref _ids[slot]);
        _batches[slot] = _input.Batch;
        foreach (RowValueCache cache in _activeCaches)
            cache.Store(slot);
    }
}
