using System;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Columns;
using MLNetSeq2Seq.Windows;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// Which input feature each output feature forecasts, and whether the network treats channels independently; resolved
/// once per Fit from the options, the window view, or the shapes. <see cref="InputIndices"/> is null when nothing
/// needs it (no instance normalisation, no channel independence).
/// </summary>
internal sealed record TargetMapping(int[]? InputIndices, bool ChannelIndependent)
{
    public static TargetMapping Resolve(Seq2SeqOptions options, SequenceShapes shapes, DataViewSchema schema)
    {
        int[]? known = Known(options, shapes, schema, out string source);
        bool channelIndependent = options.ChannelIndependent ?? known is not null;
        bool needed = channelIndependent || options.InstanceNormalization != InstanceNormalization.None;
        if (!needed)
            return new TargetMapping(null, false);
        if (known is null)
        {
            string who = channelIndependent ? $"{nameof(Seq2SeqOptions.ChannelIndependent)} = true" : $"{nameof(Seq2SeqOptions.InstanceNormalization)} = {options.InstanceNormalization}";
            throw new ArgumentException($"{who} needs to know which input feature each of the {shapes.OutputFeatureCount} output features forecasts, "
                + $"and the data does not say ({source}). Set {nameof(Seq2SeqOptions.TargetInputIndices)} (one input index per output), build the windows with "
                + $"mlContext.Data.CreateSequenceWindows with the target columns among the input columns, or turn {(channelIndependent ? "channel independence" : "instance normalisation")} off.",
                nameof(Seq2SeqOptions.TargetInputIndices));
        }
        return new TargetMapping(known, channelIndependent);
    }

    private static int[]? Known(Seq2SeqOptions options, SequenceShapes shapes, DataViewSchema schema, out string source)
    {
        if (options.TargetInputIndices is int[] given)
        {
            if (given.Length != shapes.OutputFeatureCount)
                throw new ArgumentException($"{nameof(Seq2SeqOptions.TargetInputIndices)} holds {given.Length} indices, but the label has {shapes.OutputFeatureCount} features per step: give one per output feature.",
                    nameof(Seq2SeqOptions.TargetInputIndices));
            int bad = Array.FindIndex(given, i => i >= shapes.InputFeatureCount);
            if (bad >= 0)
                throw new ArgumentOutOfRangeException(nameof(Seq2SeqOptions.TargetInputIndices), given[bad],
                    $"{nameof(Seq2SeqOptions.TargetInputIndices)}[{bad}] = {given[bad]}, but the features have {shapes.InputFeatureCount} values per step (indices 0 to {shapes.InputFeatureCount - 1}).");
            source = "set in the options";
            return (int[])given.Clone();
        }
        if (SequenceWindowDataView.TargetInputIndicesOf(schema[options.LabelColumnName]) is int[] fromWindows
            && fromWindows.Length == shapes.OutputFeatureCount && fromWindows.All(i => i >= 0 && i < shapes.InputFeatureCount))
        {
            source = "the window view's label column";
            return fromWindows;
        }
        source = $"it has {shapes.InputFeatureCount} input and {shapes.OutputFeatureCount} output features per step, and its label column carries no target mapping "
            + "from CreateSequenceWindows (or some targets are not among the inputs)";
        return shapes.OutputFeatureCount == shapes.InputFeatureCount ? Enumerable.Range(0, shapes.OutputFeatureCount).ToArray() : null;
    }
}
