using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq.Columns;

/// <summary>
/// Slot names of sequence columns, ML.NET's "SlotNames" annotation: one name per value, time-major. Window views name
/// an input value "OT@t-3" (three steps before the last input step, "OT@t" for the last) and a target value "OT@t+1"
/// (the first predicted step); the Score column takes the label's names, so a scored row reads like the windows.
/// </summary>
internal static class SequenceSlotNames
{
    /// <summary>The annotation kind ML.NET uses for the names of a vector's slots.</summary>
    public const string Kind = "SlotNames";

    /// <summary>Names of <paramref name="steps"/> input steps of <paramref name="columns"/>: "c@t-(steps−1)" … "c@t".</summary>
    public static string[] ForInputs(IReadOnlyList<string> columns, int steps) =>
        Enumerable.Range(0, steps).SelectMany(t => columns.Select(c => t == steps - 1 ? $"{c}@t" : $"{c}@t-{steps - 1 - t}")).ToArray();

    /// <summary>Names of <paramref name="horizon"/> predicted steps of <paramref name="columns"/>: "c@t+1" … "c@t+horizon".</summary>
    public static string[] ForTargets(IReadOnlyList<string> columns, int horizon) =>
        Enumerable.Range(1, horizon).SelectMany(h => columns.Select(c => $"{c}@t+{h}")).ToArray();

    /// <summary>Adds <paramref name="names"/> to <paramref name="builder"/> as slot names.</summary>
    public static DataViewSchema.Annotations.Builder Add(DataViewSchema.Annotations.Builder builder, IReadOnlyList<string> names)
    {
        string[] copy = names.ToArray();
        builder.Add(Kind, new VectorDataViewType(TextDataViewType.Instance, copy.Length),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(copy.Length, copy.Select(n => n.AsMemory()).ToArray()));
        return builder;
    }

    /// <summary>The column's slot names when it has exactly <paramref name="length"/> of them, none blank; otherwise null.</summary>
    public static string[]? Of(DataViewSchema.Column column, int length)
    {
        if (column.Annotations.Schema.GetColumnOrNull(Kind) is not DataViewSchema.Column names
            || names.Type is not VectorDataViewType { ItemType: TextDataViewType } type || type.Size != length)
            return null;
        VBuffer<ReadOnlyMemory<char>> value = default;
        column.Annotations.GetValue(Kind, ref value);
        string[] result = value.DenseValues().Select(n => n.ToString()).ToArray();
        return result.Length == length && result.All(n => n.Length > 0) ? result : null;
    }

    /// <summary>Whether a column of a pipeline's schema shape carries slot names (their values are not known there).</summary>
    public static bool Has(SchemaShape.Column column) =>
        column.Annotations.TryFind(Kind, out SchemaShape.Column names) && names.ItemType is TextDataViewType;
}
