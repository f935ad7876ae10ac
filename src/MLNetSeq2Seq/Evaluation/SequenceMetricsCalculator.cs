using System;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

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
        DataViewSchema.Column label = FindFloatVectorColumn(data.Schema, labelColumnName, "Label", LabelParameter);
        DataViewSchema.Column score = FindFloatVectorColumn(data.Schema, scoreColumnName, "Score", ScoreParameter);
        SequenceShape? shape = SequenceShape.FromColumnTypes(label, score);
        SequenceErrorAccumulator? accumulator = null;
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
            CheckFinite(label, "label", labelSpan, shape, row);
            CheckFinite(score, "score", scoreValues, shape, row);
            accumulator!.Add(labelSpan, scoreValues);
        }

        if (accumulator is null || accumulator.SequenceCount == 0)
            throw new ArgumentException(
                $"The data to evaluate is empty: it has no rows, so there are no sequences in label column '{label.Name}' " +
                $"and score column '{score.Name}' to compare.", DataParameter);
        return accumulator.ToMetrics();
    }

    /// <summary>The accumulator for sequences of this shape and the dense buffers every row is copied into.</summary>
    private static (SequenceErrorAccumulator Accumulator, float[] LabelValues, float[] ScoreValues) Start(SequenceShape shape) =>
        (new SequenceErrorAccumulator(shape.Horizon, shape.OutputFeatureCount), new float[shape.Length], new float[shape.Length]);

    private static DataViewSchema.Column FindFloatVectorColumn(DataViewSchema schema, string name, string role, string parameter)
    {
        DataViewSchema.Column? column = schema.GetColumnOrNull(name);
        if (column is null)
        {
            string present = string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"));
            throw new ArgumentException(
                $"{role} column '{name}' was not found in the data. Columns present: {present}.", parameter);
        }

        if (column.Value.Type is not VectorDataViewType { ItemType: NumberDataViewType itemType } || itemType != NumberDataViewType.Single)
            throw new ArgumentException(
                $"{role} column '{name}' must be a vector of Single (float) values, but its type is {column.Value.Type}.", parameter);
        return column.Value;
    }

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

    private static void CheckFinite(DataViewSchema.Column column, string role, ReadOnlySpan<float> values, SequenceShape shape, long row)
    {
        for (int p = 0; p < values.Length; p++)
        {
            if (float.IsFinite(values[p]))
                continue;
            string value = values[p].ToString(CultureInfo.InvariantCulture);
            throw new ArgumentException(
                $"The {role} column '{column.Name}' holds {value} at row {row} (zero-based), value {p} " +
                $"(step {p / shape.OutputFeatureCount}, feature {p % shape.OutputFeatureCount}). Sequence metrics need " +
                "finite labels and scores: remove or impute such rows before evaluating.", DataParameter);
        }
    }
}
