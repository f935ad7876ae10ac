using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Columns;

namespace MLNetSeq2Seq.Evaluation;

/// <summary>
/// Computes <see cref="SequenceRegressionMetrics"/> in one streaming pass over the label and score columns:
/// checks the schema, reads each row into reused dense buffers, rejects rows that cannot be scored honestly
/// (length mismatch, NaN or infinity), and hands the rest to <see cref="SequenceErrorAccumulator"/>.
/// </summary>
internal static class SequenceMetricsCalculator
{
    /// <summary>Parameter names of the public entry point, so that exceptions point at what the caller passed.</summary>
    private const string DataParameter = "data";
    private const string LabelParameter = "labelColumnName";
    private const string ScoreParameter = "scoreColumnName";

    public static SequenceRegressionMetrics Compute(IDataView data, string labelColumnName, string scoreColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        DataViewSchema.Column label = FloatVectorColumn.Find(data.Schema, labelColumnName, "label", LabelParameter);
        DataViewSchema.Column score = FloatVectorColumn.Find(data.Schema, scoreColumnName, "score", ScoreParameter);
        SequenceShape? shape = SequenceShape.FromColumnTypes(label, score);
        // Windows standardized with series statistics say so on their label column: the metrics are then also
        // computed on the values mapped back to the series' units.
        TrainingSeries? series = TrainingSeries.Of(label);
        SequenceErrorAccumulator? accumulator = null, original = null;
        float[] originalLabel = Array.Empty<float>(), originalScore = Array.Empty<float>();
        float[] labelValues = Array.Empty<float>(), scoreValues = Array.Empty<float>();
        if (shape is not null)
            (accumulator, labelValues, scoreValues) = Start(shape);

        using DataViewRowCursor cursor = data.GetRowCursor(new[] { label, score });
        ValueGetter<VBuffer<float>> getLabel = cursor.GetGetter<VBuffer<float>>(label);
        ValueGetter<VBuffer<float>> getScore = cursor.GetGetter<VBuffer<float>>(score);
        VBuffer<float> labelRow = default, scoreRow = default;
        for (long row = 0; cursor.MoveNext(); row++)
        {
            getLabel(ref labelRow);
            getScore(ref scoreRow);
            if (shape is null)
            {
                // Variable-length columns without dimensions: the first row fixes the horizon, one feature per step.
                shape = SequenceShape.FromFirstRow(label, score, labelRow.Length, scoreRow.Length);
                (accumulator, labelValues, scoreValues) = Start(shape);
            }

            CheckLengths(label, score, shape, row, labelRow.Length, scoreRow.Length);
            labelRow.CopyTo(labelValues);
            scoreRow.CopyTo(scoreValues);
            // A variable-length label is scored on its own steps: the prefix of the (fixed-shape) score.
            Span<float> labelSpan = labelValues.AsSpan(0, labelRow.Length);
            CheckFinite(label, "Label", labelSpan, shape, row);
            CheckFinite(score, "Score", scoreValues, shape, row);
            accumulator!.Add(labelSpan, scoreValues);
            if (row == 0 && series?.Statistics is not null && series.TargetColumnNames.Count == shape.OutputFeatureCount)
                (original, originalLabel, originalScore) = Start(shape);
            if (original is not null)
            {
                Unstandardize(series!, labelSpan, originalLabel);
                Unstandardize(series!, scoreValues, originalScore);
                original.Add(originalLabel.AsSpan(0, labelSpan.Length), originalScore);
            }
        }

        if (accumulator is null || accumulator.SequenceCount == 0)
            throw new ArgumentException(
                $"The data to evaluate is empty: it has no rows, so there are no sequences in label column '{label.Name}' " +
                $"and score column '{score.Name}' to compare.", DataParameter);
        SequenceRegressionMetrics metrics = accumulator.ToMetrics();
        if (series is null || series.TargetColumnNames.Count != shape!.OutputFeatureCount)
            return metrics;
        return metrics.With(series.TargetColumnNames, original?.ToMetrics().With(series.TargetColumnNames, null));
    }

    // value × scale + mean of each value's column (columns repeat every OutputFeatureCount values), as SeriesStatistics.Unstandardize does.
    private static void Unstandardize(TrainingSeries series, ReadOnlySpan<float> values, float[] destination)
    {
        SeriesStatistics statistics = series.Statistics!;
        IReadOnlyList<string> columns = series.TargetColumnNames;
        for (int i = 0; i < values.Length; i++)
            destination[i] = (float)statistics.Unstandardize(columns[i % columns.Count], values[i]);
    }

    /// <summary>The accumulator for sequences of this shape and the dense buffers every row is copied into.</summary>
    private static (SequenceErrorAccumulator Accumulator, float[] LabelValues, float[] ScoreValues) Start(SequenceShape shape) =>
        (new SequenceErrorAccumulator(shape.Horizon, shape.OutputFeatureCount), new float[shape.Length], new float[shape.Length]);

    private static void CheckLengths(DataViewSchema.Column label, DataViewSchema.Column score, SequenceShape shape,
        long row, int labelLength, int scoreLength)
    {
        if (labelLength == shape.Length && scoreLength == shape.Length)
            return;
        // Against a fixed-shape score (as the transformer writes it), a variable-length label may stop early.
        bool variableLabel = label.Type is VectorDataViewType { Size: 0 } && score.Type is VectorDataViewType { Size: > 0 };
        if (variableLabel && scoreLength == shape.Length && labelLength > 0 && labelLength <= shape.Length && labelLength % shape.OutputFeatureCount == 0)
            return; // a shorter variable-length label: its real steps are compared with the first steps of the score
        throw new ArgumentException(
            $"At row {row} (zero-based), label column '{label.Name}' holds {labelLength} values and score column " +
            $"'{score.Name}' holds {scoreLength}; every row must hold {shape.Length} values in both " +
            $"(Horizon × OutputFeatureCount = {shape.Horizon} × {shape.OutputFeatureCount}, {shape.Origin}).", DataParameter);
    }

    private static void CheckFinite(DataViewSchema.Column column, string role, ReadOnlySpan<float> values, SequenceShape shape, long row) =>
        FiniteValues.Check(values, shape.OutputFeatureCount, role, column.Name, row,
            "sequence metrics need finite labels and scores: remove or impute such rows before evaluating.");
}
