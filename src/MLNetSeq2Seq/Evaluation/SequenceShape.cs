using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Evaluation;

/// <summary>
/// How the values of one sequence split into Horizon steps of OutputFeatureCount features, and where that split
/// came from (said in error messages, so that a user can see which column decided it).
/// </summary>
internal sealed class SequenceShape
{
    private SequenceShape(int horizon, int outputFeatureCount, string origin)
    {
        Horizon = horizon;
        OutputFeatureCount = outputFeatureCount;
        Origin = origin;
    }

    public int Horizon { get; }

    public int OutputFeatureCount { get; }

    /// <summary>Values per sequence: Horizon × OutputFeatureCount.</summary>
    public int Length => Horizon * OutputFeatureCount;

    /// <summary>Where the shape came from, as a phrase for messages.</summary>
    public string Origin { get; }

    /// <summary>
    /// The shape the column types declare, in this order of preference: the score column's dimensions [H, O];
    /// the label column's dimensions [H, O]; a fixed vector length L of either column as H = L, O = 1. Null when
    /// both columns are variable-length vectors without dimensions (the first row then decides).
    /// Throws when a column of fixed length does not hold exactly Horizon × OutputFeatureCount values.
    /// </summary>
    public static SequenceShape? FromColumnTypes(DataViewSchema.Column label, DataViewSchema.Column score)
    {
        var labelType = (VectorDataViewType)label.Type;
        var scoreType = (VectorDataViewType)score.Type;
        SequenceShape? shape =
            FromDimensions(scoreType, $"from the dimensions of score column '{score.Name}'")
            ?? FromDimensions(labelType, $"from the dimensions of label column '{label.Name}'")
            ?? FromLength(scoreType, $"one feature per step: score column '{score.Name}' declares no [Horizon, OutputFeatureCount] dimensions")
            ?? FromLength(labelType, $"one feature per step: label column '{label.Name}' declares no [Horizon, OutputFeatureCount] dimensions");
        if (shape is null)
            return null;

        foreach ((DataViewSchema.Column column, VectorDataViewType type, string role) in
                 new[] { (label, labelType, "label"), (score, scoreType, "score") })
        {
            if (type.IsKnownSize && type.Size != shape.Length)
                throw new ArgumentException(
                    $"Label column '{label.Name}' ({labelType}) and score column '{score.Name}' ({scoreType}) must hold " +
                    $"the same number of values per row, {shape.Length} (Horizon × OutputFeatureCount = {shape.Horizon} × " +
                    $"{shape.OutputFeatureCount}, {shape.Origin}), but {role} column '{column.Name}' holds {type.Size}.");
        }

        return shape;
    }

    /// <summary>The shape of variable-length columns, fixed by the first row's score: H = its length, O = 1.</summary>
    public static SequenceShape FromFirstRow(DataViewSchema.Column label, DataViewSchema.Column score, int labelLength, int scoreLength)
    {
        if (scoreLength == 0)
            throw new ArgumentException(
                $"Row 0 of score column '{score.Name}' holds no values (label column '{label.Name}' holds {labelLength}); " +
                "every sequence needs at least one value.", "data");
        return new SequenceShape(scoreLength, 1,
            $"one feature per step, fixed by row 0 because score column '{score.Name}' and label column '{label.Name}' " +
            "are variable-length vectors without dimensions");
    }

    private static SequenceShape? FromDimensions(VectorDataViewType type, string origin) =>
        type.IsKnownSize && type.Dimensions.Length == 2
            ? new SequenceShape(type.Dimensions[0], type.Dimensions[1], origin)
            : null;

    private static SequenceShape? FromLength(VectorDataViewType type, string origin) =>
        type.IsKnownSize ? new SequenceShape(type.Size, 1, origin) : null;
}
