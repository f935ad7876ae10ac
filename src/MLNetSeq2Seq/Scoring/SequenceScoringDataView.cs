using System;
using System.Collections.Generic;
using Microsoft.ML;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// The output of the Seq2Seq transformer's Transform: the input columns, unchanged and at their indices, plus a
/// score column of Horizon × OutputFeatureCount floats. Lazy: the network runs only as cursors move, on blocks of
/// up to the inference batch size rows (one <see cref="ISequenceScorer.Score"/> call per block), and only when
/// the score column is requested.
/// </summary>
internal sealed class SequenceScoringDataView : IDataView
{
    private readonly IDataView _input;
    private readonly SequenceScoringSchema _schema;
    private readonly int _inferenceBatchSize;

    /// <summary>Scores <paramref name="input"/> lazily.</summary>
    /// <param name="input">Rows to score.</param>
    /// <param name="featureColumnName">A vector of Single per row: L × InputFeatureCount values, time-major.</param>
    /// <param name="scoreColumnName">The appended column; a same-named input column becomes hidden.</param>
    /// <param name="scorer">The network.</param>
    /// <param name="inferenceBatchSize">Rows per Score call (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or not a vector of Single, or the batch size is not positive.</exception>
    /// <param name="futureColumnName">The known-future feature column, when the scorer takes them.</param>
    public SequenceScoringDataView(IDataView input, string featureColumnName, string scoreColumnName, ISequenceScorer scorer, int inferenceBatchSize, string? futureColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inferenceBatchSize);
        _input = input;
        _schema = new SequenceScoringSchema(input.Schema, featureColumnName, scoreColumnName, scorer, futureColumnName);
        _inferenceBatchSize = inferenceBatchSize;
    }

    /// <summary>As the input: rows map one to one, so shuffling the input shuffles the scored rows.</summary>
    public bool CanShuffle => _input.CanShuffle;

    /// <inheritdoc/>
    public DataViewSchema Schema => _schema.Output;

    /// <summary>The input's row count (one output row per input row).</summary>
    public long? GetRowCount() => _input.GetRowCount();

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        bool[] passThrough = _schema.ResolveActive(columnsNeeded, out bool scoreActive);
        DataViewRowCursor input = _input.GetRowCursor(_schema.InputColumnsFor(passThrough, scoreActive), rand);
        return Wrap(new[] { input }, passThrough, scoreActive)[0];
    }

    /// <summary>One cursor per cursor of the input's set, each scoring its own rows independently.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        bool[] passThrough = _schema.ResolveActive(columnsNeeded, out bool scoreActive);
        DataViewRowCursor[] inputs = _input.GetRowCursorSet(_schema.InputColumnsFor(passThrough, scoreActive), n, rand);
        return Wrap(inputs, passThrough, scoreActive);
    }

    private DataViewRowCursor[] Wrap(DataViewRowCursor[] inputs, bool[] passThrough, bool scoreActive)
    {
        var cursors = new DataViewRowCursor[inputs.Length];
        try
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                cursors[i] = scoreActive
                    ? new SequenceScoringCursor(_schema, inputs[i], passThrough, _inferenceBatchSize)
                    : new PassThroughCursor(_schema, inputs[i]);
            }
            return cursors;
        }
        catch
        {
            // The input cursors are ours until wrapped and handed out.
            foreach (DataViewRowCursor input in inputs)
                input.Dispose();
            throw;
        }
    }
}
