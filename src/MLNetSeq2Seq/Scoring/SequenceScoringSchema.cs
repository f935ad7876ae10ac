using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Columns;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// The schema side of scoring, shared by <see cref="SequenceScoringDataView"/> and <see cref="SequenceScoringRowMapper"/>:
/// checks the feature column, builds the output schema (every input column at its own index, then the score
/// column), and translates requested output columns into the input columns a cursor or row must activate.
/// </summary>
internal sealed class SequenceScoringSchema
{
    /// <summary>Checks <paramref name="input"/> and builds the output schema.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or is not a vector of Single.</exception>
    /// <remarks>The known-future feature column (futureColumnName) is needed when the scorer takes them (<see cref="ISequenceScorer.FutureFeatureCount"/> &gt; 0).</remarks>
    public SequenceScoringSchema(DataViewSchema input, string featureColumnName, string scoreColumnName, ISequenceScorer scorer, string? futureColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(featureColumnName);
        ArgumentException.ThrowIfNullOrEmpty(scoreColumnName);
        ArgumentNullException.ThrowIfNull(scorer);
        CheckScorerShape(scorer);

        DataViewSchema.Column feature = FloatVectorColumn.Find(input, featureColumnName, "feature", nameof(input));

        if (scorer.FutureFeatureCount > 0)
        {
            if (futureColumnName is null)
                throw new ArgumentException($"The model takes {scorer.FutureFeatureCount} known-future features per forecast step, but no future-feature column was named.", nameof(futureColumnName));
            FutureColumn = FloatVectorColumn.Find(input, futureColumnName, "future-feature", nameof(input));
            var futureType = (VectorDataViewType)FutureColumn.Value.Type;
            int futureLength = scorer.Horizon * scorer.FutureFeatureCount;
            if (futureType.Size > 0 && futureType.Size != futureLength)
                throw new ArgumentOutOfRangeException(nameof(input),
                    $"Schema mismatch for future-feature column '{futureColumnName}': expected Vector<Single, {scorer.Horizon}, {scorer.FutureFeatureCount}> (Horizon × K = {futureLength} values), got {futureType}.");
            FutureColumnName = futureColumnName;
        }
        Input = input;
        FeatureColumnName = featureColumnName;
        FeatureColumn = feature;
        Scorer = scorer;
        ScoreLength = scorer.Horizon * scorer.OutputFeatureCount;

        var builder = new DataViewSchema.Builder();
        // Copies name, type and annotations; a same-named input column stays at its index and becomes hidden.
        builder.AddColumns(input);
        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        if (scorer.ScoreSlotNames is { } slotNames && slotNames.Count == ScoreLength)
            SequenceSlotNames.Add(scoreAnnotations, slotNames);
        builder.AddColumn(scoreColumnName, new VectorDataViewType(NumberDataViewType.Single, scorer.Horizon, scorer.OutputFeatureCount), scoreAnnotations.ToAnnotations());
        int quantiles = scorer.QuantileCount;
        if (quantiles > 0)
        {
            var quantileAnnotations = new DataViewSchema.Annotations.Builder();
            if (scorer.QuantileSlotNames is { } quantileNames && quantileNames.Count == ScoreLength * quantiles)
                SequenceSlotNames.Add(quantileAnnotations, quantileNames);
            builder.AddColumn(QuantileColumnNameOf(scoreColumnName), new VectorDataViewType(NumberDataViewType.Single, scorer.Horizon, quantiles, scorer.OutputFeatureCount),
                quantileAnnotations.ToAnnotations());
        }
        Output = builder.ToSchema();
        ScoreColumn = Output[input.Count];
        QuantileColumn = quantiles > 0 ? Output[input.Count + 1] : null;
    }

    /// <summary>The schema the input rows have.</summary>
    public DataViewSchema Input { get; }

    /// <summary>The input columns at their indices, then the score column.</summary>
    public DataViewSchema Output { get; }

    /// <summary>The name of the feature column, as the user gave it (used in error messages).</summary>
    public string FeatureColumnName { get; }

    /// <summary>The feature column in <see cref="Input"/>: a vector of Single, L × F values per row.</summary>
    public DataViewSchema.Column FeatureColumn { get; }

    /// <summary>The known-future feature column in <see cref="Input"/> (Horizon × K floats per row) of a model that takes them; null otherwise.</summary>
    public DataViewSchema.Column? FutureColumn { get; }

    /// <summary>Its name, as the model records it; null without one.</summary>
    public string? FutureColumnName { get; }

    /// <summary>The appended score column in <see cref="Output"/>: Horizon × OutputFeatureCount floats per row.</summary>
    public DataViewSchema.Column ScoreColumn { get; }

    /// <summary>The appended quantile column ([Horizon, Q, OutputFeatureCount] floats per row) of a model with quantile
    /// levels, after the score column; null otherwise.</summary>
    public DataViewSchema.Column? QuantileColumn { get; }

    /// <summary>The quantile column's name for a score column: "{score}Quantiles".</summary>
    public static string QuantileColumnNameOf(string scoreColumnName) => scoreColumnName + "Quantiles";

    /// <summary>Whether <paramref name="index"/> is a column the network computes (the score or the quantiles).</summary>
    public bool IsScored(int index) => index == ScoreColumn.Index || index == QuantileColumn?.Index;

    /// <summary>The network the rows are scored with.</summary>
    public ISequenceScorer Scorer { get; }

    /// <summary>Floats per score: Horizon × OutputFeatureCount.</summary>
    public int ScoreLength { get; }

    /// <summary>
    /// Splits requested output columns into the pass-through columns (indexed like <see cref="Input"/>) and whether
    /// the score is requested.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column does not belong to <see cref="Output"/>.</exception>
    public bool[] ResolveActive(IEnumerable<DataViewSchema.Column> outputColumns, out bool scoreActive)
    {
        ArgumentNullException.ThrowIfNull(outputColumns);
        var passThrough = new bool[Input.Count];
        scoreActive = false;
        foreach (DataViewSchema.Column column in outputColumns)
        {
            CheckOutputColumn(column);
            if (IsScored(column.Index))
                scoreActive = true;
            else
                passThrough[column.Index] = true;
        }
        return passThrough;
    }

    /// <summary>The input columns to activate: the requested pass-through columns, plus the features when scoring.</summary>
    public IEnumerable<DataViewSchema.Column> InputColumnsFor(bool[] passThrough, bool scoreActive) =>
        Input.Where(c => passThrough[c.Index] || (scoreActive && (c.Index == FeatureColumn.Index || c.Index == FutureColumn?.Index))).ToArray();

    /// <summary>Throws unless <paramref name="column"/> indexes a column of <see cref="Output"/>.</summary>
    public void CheckOutputColumn(DataViewSchema.Column column)
    {
        if (column.Index < 0 || column.Index >= Output.Count || Output[column.Index].Name != column.Name)
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (index {column.Index}) is not a column of this schema.");
    }

    /// <summary>The message for a getter asked for the wrong value type (the same wording as ML.NET's own cursors).</summary>
    public static string WrongValueType(DataViewSchema.Column column, Type requested) =>
        $"Invalid TValue in GetGetter for column '{column.Name}': '{requested}', expected type: '{column.Type.RawType}'.";

    private static void CheckScorerShape(ISequenceScorer scorer)
    {
        if (scorer.InputFeatureCount <= 0 || scorer.OutputFeatureCount <= 0 || scorer.Horizon <= 0)
            throw new ArgumentOutOfRangeException(nameof(scorer),
                $"The scorer's shape must be positive, but InputFeatureCount = {scorer.InputFeatureCount}, Horizon = {scorer.Horizon}, OutputFeatureCount = {scorer.OutputFeatureCount}.");
        if ((long)scorer.Horizon * scorer.OutputFeatureCount > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(scorer),
                $"Horizon × OutputFeatureCount = {scorer.Horizon} × {scorer.OutputFeatureCount} is too large for one vector.");
    }
}
