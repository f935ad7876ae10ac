using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// The cursor for requests without the score column: the scorer never runs, nothing is read ahead, and every
/// call goes straight to the input cursor (pass-through columns keep their input indices).
/// </summary>
internal sealed class PassThroughCursor : DataViewRowCursor
{
    private readonly SequenceScoringSchema _schema;
    private readonly DataViewRowCursor _input;

    /// <summary>Wraps <paramref name="input"/>, a cursor over the input data view.</summary>
    public PassThroughCursor(SequenceScoringSchema schema, DataViewRowCursor input)
    {
        _schema = schema;
        _input = input;
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
        return !_schema.IsScored(column.Index) && _input.IsColumnActive(_input.Schema[column.Index]);
    }

    /// <inheritdoc/>
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        _schema.CheckOutputColumn(column);
        if (_schema.IsScored(column.Index))
            throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; request it when creating the cursor.");
        return _input.GetGetter<TValue>(_input.Schema[column.Index]);
    }

    /// <inheritdoc/>
    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    /// <inheritdoc/>
    public override bool MoveNext() => _input.MoveNext();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _input.Dispose();
        base.Dispose(disposing);
    }
}
