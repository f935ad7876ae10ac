using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// The row <see cref="SequenceScoringRowMapper.GetRow"/> returns: pass-through columns delegate to the input row;
/// the score is computed for the input's current row on first read (one Score call, one row) and kept until the
/// input's Position changes. Each row owns its buffers; the scorer is shared and thread-safe.
/// </summary>
internal sealed class SequenceScoringRow : DataViewRow
{
    private readonly SequenceScoringSchema _schema;
    private readonly DataViewRow _input;
    private readonly bool[] _passThrough;
    private readonly bool _scoreActive;
    private readonly ValueGetter<VBuffer<float>>? _inputFeatures;
    private readonly FeatureBlock? _block;
    private readonly ValueGetter<VBuffer<float>>? _inputFuture;
    private VBuffer<float> _featureRow;
    private VBuffer<float> _futureRow;
    private long _scoredPosition = -1;

    /// <summary>A row over <paramref name="input"/>; <paramref name="passThrough"/> is indexed like the input schema.</summary>
    public SequenceScoringRow(SequenceScoringSchema schema, DataViewRow input, bool[] passThrough, bool scoreActive)
    {
        _schema = schema;
        _input = input;
        _passThrough = passThrough;
        _scoreActive = scoreActive;
        if (scoreActive)
        {
            _inputFeatures = input.GetGetter<VBuffer<float>>(input.Schema[schema.FeatureColumn.Index]);
            if (schema.FutureColumn is DataViewSchema.Column future)
                _inputFuture = input.GetGetter<VBuffer<float>>(input.Schema[future.Index]);
            _block = new FeatureBlock(schema.Scorer, schema.FeatureColumnName, capacity: 1, schema.FutureColumnName);
        }
    }

    /// <inheritdoc/>
    public override DataViewSchema Schema => _schema.Output;

    /// <inheritdoc/>
    public override long Position => _input.Position;

    /// <inheritdoc/>
    public override long Batch => _input.Batch;

    /// <inheritdoc/>
    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        _schema.CheckOutputColumn(column);
        return _schema.IsScored(column.Index) ? _scoreActive : _passThrough[column.Index];
    }

    /// <inheritdoc/>
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
            throw new InvalidOperationException($"Column '{column.Name}' is not active in this row; request it when creating the row.");
        if (!_schema.IsScored(column.Index))
            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        return (column.Index == _schema.ScoreColumn.Index ? (ValueGetter<VBuffer<float>>)GetScore : GetQuantiles) as ValueGetter<TValue>
            ?? throw new InvalidOperationException(SequenceScoringSchema.WrongValueType(column, typeof(TValue)));
    }

    /// <inheritdoc/>
    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    private void GetScore(ref VBuffer<float> value) => ScoreWriter.Write(ScoredRow().Slice(0, _schema.ScoreLength), ref value);

    private void GetQuantiles(ref VBuffer<float> value) => ScoreWriter.Write(ScoredRow().Slice(_schema.ScoreLength), ref value);

    private ReadOnlySpan<float> ScoredRow()
    {
        // A row that does not track its position (-1) is scored on every read.
        long position = _input.Position;
        if (position < 0 || position != _scoredPosition || !_block!.IsScored)
        {
            // Forget the previous score first: if this row's features are invalid, nothing stale may be served.
            _scoredPosition = -1;
            _block!.Clear();
            _inputFeatures!(ref _featureRow);
            _inputFuture?.Invoke(ref _futureRow);
            _block.TryAdd(_featureRow, _futureRow, position);
            _block.Score();
            _scoredPosition = position;
        }
        return _block.ScoresOf(0);
    }
}
