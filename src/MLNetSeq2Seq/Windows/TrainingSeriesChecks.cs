using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Columns;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq.Windows;

/// <summary>
/// Where the <see cref="TrainingSeries"/> meets data: Fit takes it from the training windows' label column (when it
/// agrees with the shapes Fit trains on), and Transform refuses windows of another length or other columns.
/// </summary>
internal static class TrainingSeriesChecks
{
    /// <summary>The training series the label column carries, when it describes the feature and label columns Fit
    /// reads; null (with a log line saying why) when a pipeline reshaped them, or when the data are not window views.</summary>
    public static TrainingSeries? FromTrainingData(DataViewSchema schema, Seq2SeqOptions options, SequenceShapes shapes, MLNetHost host)
    {
        if (TrainingSeries.Of(schema[options.LabelColumnName]) is not TrainingSeries series)
            return null;
        if (series.InputColumnNames.Count == shapes.InputFeatureCount && series.TargetColumnNames.Count == shapes.OutputFeatureCount
            && shapes.InputLength == series.InputLength)
            return series;
        host.Info($"Seq2Seq: label column '{options.LabelColumnName}' comes from windows of {series.InputLength} × {series.InputColumnNames.Count} inputs and "
            + $"{series.TargetColumnNames.Count} targets, but Fit reads {shapes.InputLength?.ToString() ?? "variable"} × {shapes.InputFeatureCount} and {shapes.OutputFeatureCount}: "
            + "the model does not record the series (no forecast engine, no window checks).");
        return null;
    }

    /// <summary>
    /// A window column (fixed length, or slot names) that does not match the training series is an error naming the
    /// column, the numbers or the columns, and what to change. Variable-length columns without names pass.
    /// </summary>
    public static void CheckWindows(DataViewSchema.Column features, VectorDataViewType type, TrainingSeries series)
    {
        int width = series.InputColumnNames.Count;
        if (type.Size > 0 && type.Size / width != series.InputLength)
            throw new ArgumentOutOfRangeException("inputSchema",
                $"Feature column '{features.Name}' holds windows of {type.Size / width} steps, but this model was trained on windows of {series.InputLength} steps "
                + $"(InputLength) of {width} columns: cut the windows with InputLength = {series.InputLength}.");
        if (type.Size > 0 && SequenceSlotNames.Of(features, type.Size) is string[] names)
        {
            string[] columns = names.Take(width).Select(n => n.Split('@')[0]).ToArray();
            if (!columns.SequenceEqual(series.InputColumnNames))
                throw new ArgumentOutOfRangeException("inputSchema",
                    $"Feature column '{features.Name}' holds the columns {string.Join(", ", columns.Select(c => $"'{c}'"))} per step, but this model was trained on "
                    + $"{string.Join(", ", series.InputColumnNames.Select(c => $"'{c}'"))}, in that order: cut the windows with those InputColumnNames.");
        }
    }
}
