using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Columns;

/// <summary>
/// The counts that the feature and label columns must agree with: F values per input step, O values per predicted
/// step, H predicted steps, and L input steps when the column's size is fixed. Resolved from the columns'
/// dimensions first, then from the options; every disagreement is an error naming the column and the numbers.
/// </summary>
internal sealed record SequenceShapes(int InputFeatureCount, int OutputFeatureCount, int Horizon, int? InputLength, int FutureFeatureCount = 0)
{
    public int LabelLength => Horizon * OutputFeatureCount;

    /// <summary>Values of the future-feature column per row: Horizon × K.</summary>
    public int FutureLength => Horizon * FutureFeatureCount;

    public static SequenceShapes Resolve(DataViewSchema schema, Seq2SeqOptions options)
    {
        var features = (VectorDataViewType)FloatVectorColumn.Find(schema, options.FeatureColumnName, "feature", "input", nameof(Seq2SeqOptions.FeatureColumnName)).Type;
        var labels = (VectorDataViewType)FloatVectorColumn.Find(schema, options.LabelColumnName, "label", "input", nameof(Seq2SeqOptions.LabelColumnName)).Type;

        int inputFeatureCount = CountFromDimensions(features, options.InputFeatureCount, options.FeatureColumnName, nameof(Seq2SeqOptions.InputFeatureCount))
            ?? throw new ArgumentException($"{nameof(Seq2SeqOptions.InputFeatureCount)} is needed: feature column '{options.FeatureColumnName}' carries no [L, F] dimensions.", nameof(Seq2SeqOptions.InputFeatureCount));
        int? inputLength = null;
        if (features.Size > 0)
        {
            if (features.Size % inputFeatureCount != 0)
                throw new ArgumentException($"Feature column '{options.FeatureColumnName}' holds {features.Size} values, which is not a multiple of {nameof(Seq2SeqOptions.InputFeatureCount)} = {inputFeatureCount}.", nameof(Seq2SeqOptions.InputFeatureCount));
            inputLength = features.Size / inputFeatureCount;
        }

        int? outputFeatureCount = CountFromDimensions(labels, options.OutputFeatureCount, options.LabelColumnName, nameof(Seq2SeqOptions.OutputFeatureCount));
        int? horizon = options.Horizon;
        if (labels.Dimensions.Length == 2)
        {
            if (horizon is int h && h != labels.Dimensions[0])
                throw new ArgumentException($"{nameof(Seq2SeqOptions.Horizon)} = {h}, but label column '{options.LabelColumnName}' has dimensions [{labels.Dimensions[0]}, {labels.Dimensions[1]}].", nameof(Seq2SeqOptions.Horizon));
            horizon = labels.Dimensions[0];
        }
        if (labels.Size > 0)
        {
            if (outputFeatureCount is null && horizon is int hh && labels.Size % hh == 0)
                outputFeatureCount = labels.Size / hh;
            if (horizon is null && outputFeatureCount is int oo && labels.Size % oo == 0)
                horizon = labels.Size / oo;
        }
        if (outputFeatureCount is null || horizon is null)
            throw LabelShapeUnknown(options.LabelColumnName);
        if (labels.Size > 0 && labels.Size != horizon * outputFeatureCount)
            throw new ArgumentException($"Label column '{options.LabelColumnName}' holds {labels.Size} values, but {nameof(Seq2SeqOptions.Horizon)} × {nameof(Seq2SeqOptions.OutputFeatureCount)} = {horizon} × {outputFeatureCount} = {horizon * outputFeatureCount}.", nameof(Seq2SeqOptions.Horizon));
        return new SequenceShapes(inputFeatureCount, outputFeatureCount.Value, horizon.Value, inputLength, FutureCount(schema, options, horizon.Value));
    }

    /// <summary>K, from the future-feature column's [Horizon, K] dimensions or its fixed size; 0 without the column.</summary>
    private static int FutureCount(DataViewSchema schema, Seq2SeqOptions options, int horizon)
    {
        if (options.FutureFeatureColumnName is not string name)
            return 0;
        string option = nameof(Seq2SeqOptions.FutureFeatureColumnName);
        var future = (VectorDataViewType)FloatVectorColumn.Find(schema, name, "future-feature", "input", option).Type;
        if (future.Dimensions.Length == 2 && future.Dimensions[0] != horizon)
            throw new ArgumentException($"Future-feature column '{name}' has dimensions [{future.Dimensions[0]}, {future.Dimensions[1]}], but Horizon = {horizon}: it needs one row of known-future values per forecast step.", option);
        if (future.Size == 0 || future.Size % horizon != 0)
            throw new ArgumentException($"Future-feature column '{name}' holds {(future.Size == 0 ? "a variable number of" : future.Size.ToString())} values, but it needs a fixed Horizon × K = {horizon} × K values per row.", option);
        return future.Size / horizon;
    }

    /// <summary>The error for a label column whose shape neither its type nor the options give.</summary>
    public static ArgumentException LabelShapeUnknown(string labelColumnName) =>
        new($"Set {nameof(Seq2SeqOptions.Horizon)} and {nameof(Seq2SeqOptions.OutputFeatureCount)}: label column '{labelColumnName}' carries no [Horizon, O] dimensions.", nameof(Seq2SeqOptions.Horizon));

    private static int? CountFromDimensions(VectorDataViewType type, int? fromOptions, string column, string option)
    {
        if (type.Dimensions.Length != 2)
            return fromOptions;
        int fromType = type.Dimensions[1];
        if (fromOptions is int value && value != fromType)
            throw new ArgumentException($"{option} = {value}, but column '{column}' has dimensions [{type.Dimensions[0]}, {fromType}].", option);
        return fromType;
    }
}
