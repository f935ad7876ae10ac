using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// Scores one row at a time over a caller's row: what <c>mlContext.Model.CreatePredictionEngine</c> and
/// transformer chains use. Pass-through columns come straight from the input row; the score is computed on
/// first read with one <see cref="ISequenceScorer.Score"/> call of one row, and kept until the input row moves.
/// </summary>
internal sealed class SequenceScoringRowMapper : IRowToRowMapper
{
    private readonly SequenceScoringSchema _schema;

    /// <summary>A mapper for rows of <paramref name="inputSchema"/>.</summary>
    /// <param name="inputSchema">The schema of the rows to be mapped.</param>
    /// <param name="featureColumnName">A vector of Single per row: L × InputFeatureCount values, time-major.</param>
    /// <param name="scoreColumnName">The appended column; a same-named input column becomes hidden.</param>
    /// <param name="scorer">The network.</param>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or not a vector of Single.</exception>
    /// <param name="futureColumnName">The known-future feature column, when the scorer takes them.</param>
    public SequenceScoringRowMapper(DataViewSchema inputSchema, string featureColumnName, string scoreColumnName, ISequenceScorer scorer, string? futureColumnName = null) =>
        _schema = new SequenceScoringSchema(inputSchema, featureColumnName, scoreColumnName, scorer, futureColumnName);

    /// <inheritdoc/>
    public DataViewSchema InputSchema => _schema.Input;

    /// <summary>The input columns at their indices, then the score column (the same shape as Transform's output).</summary>
    public DataViewSchema OutputSchema => _schema.Output;

    /// <summary>The input columns needed for <paramref name="dependingColumns"/>: themselves, and the features for the score.</summary>
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        bool[] passThrough = _schema.ResolveActive(dependingColumns, out bool scoreActive);
        return _schema.InputColumnsFor(passThrough, scoreActive);
    }

    /// <summary>A row over <paramref name="input"/> with <paramref name="activeColumns"/> (of <see cref="OutputSchema"/>) readable.</summary>
    /// <exception cref="ArgumentException"><paramref name="input"/>'s schema is not the one this mapper was made for.</exception>
    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInputSchema(input.Schema);
        bool[] passThrough = _schema.ResolveActive(activeColumns, out bool scoreActive);
        return new SequenceScoringRow(_schema, input, passThrough, scoreActive);
    }

    private void CheckInputSchema(DataViewSchema schema)
    {
        if (ReferenceEquals(schema, InputSchema))
            return;
        DataViewSchema.Column feature = _schema.FeatureColumn;
        bool matches = schema.Count == InputSchema.Count
            && schema[feature.Index].Name == feature.Name
            && schema[feature.Index].Type.Equals(feature.Type);
        if (!matches)
            throw new ArgumentException(
                $"The input row's schema ({schema.Count} columns) is not the schema this mapper was made for ({InputSchema.Count} columns, " +
                $"feature column '{feature.Name}' at index {feature.Index}); get a mapper for this schema.", "input");
    }
}
