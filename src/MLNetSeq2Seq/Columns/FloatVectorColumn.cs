using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq.Columns;

/// <summary>
/// The one check that a sequence column (features, label, score) exists and is a vector of Single, for every entry
/// point: Fit, the learning-rate range test, GetOutputSchema, Transform, prediction engines, EvaluateSequence and the
/// baselines. Errors are <see cref="ArgumentOutOfRangeException"/>s worded like ML.NET's
/// <c>ExceptSchemaMismatch</c> ("Could not find …", "Schema mismatch for … column '…': expected …, got …"), followed
/// by what to do about it.
/// </summary>
internal static class FloatVectorColumn
{
    /// <summary>What every sequence column must be, as ML.NET writes vector types.</summary>
    public const string Expected = "Vector<Single>";

    /// <summary>The column, when it is a vector of Single; otherwise the error.</summary>
    /// <param name="schema">The data's schema.</param>
    /// <param name="name">The column's name.</param>
    /// <param name="role">What the column is for, lower case as ML.NET writes it: "feature", "label", "score".</param>
    /// <param name="parameterName">The caller's parameter that carries the schema (the exception's ParamName).</param>
    /// <param name="optionName">The option that names the column, when there is one: the message says to set it.</param>
    public static DataViewSchema.Column Find(DataViewSchema schema, string name, string role, string parameterName, string? optionName = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw NotFound(name, role, parameterName, optionName, schema.Where(c => !c.IsHidden).Select(c => c.Name));
        if (column.Type is VectorDataViewType { ItemType: var itemType } && itemType == NumberDataViewType.Single)
            return column;
        throw Mismatch(name, role, parameterName, $"{column.Type}", column.Type is VectorDataViewType, (column.Type as VectorDataViewType)?.ItemType ?? column.Type);
    }

    /// <summary>The same check on the shape ML.NET pipelines pass to GetOutputSchema, with the same messages.</summary>
    public static SchemaShape.Column Find(SchemaShape schema, string name, string role, string parameterName, string? optionName = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (!schema.TryFind(name, out SchemaShape.Column column))
            throw NotFound(name, role, parameterName, optionName, schema.Select(c => c.Name));
        bool isVector = column.Kind != SchemaShape.Column.VectorKind.Scalar;
        if (isVector && column.ItemType == NumberDataViewType.Single)
            return column;
        string actual = column.Kind switch
        {
            SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
            SchemaShape.Column.VectorKind.VariableVector => $"VarVector<{column.ItemType}>",
            _ => $"{column.ItemType}",
        };
        throw Mismatch(name, role, parameterName, actual, isVector, column.ItemType);
    }

    private static ArgumentOutOfRangeException NotFound(string name, string role, string parameterName, string? optionName, IEnumerable<string> columns) =>
        new(parameterName, $"Could not find {role} column '{name}'. The columns are: {string.Join(", ", columns.Select(c => $"'{c}'"))}."
            + (optionName is null ? "" : $" Set {optionName} to the column that holds the sequences."));

    private static ArgumentOutOfRangeException Mismatch(string name, string role, string parameterName, string actual, bool isVector, DataViewType itemType) =>
        new(parameterName, $"Schema mismatch for {role} column '{name}': expected {Expected}, got {actual}. {HowToConvert(name, isVector, itemType)}");

    /// <summary>What to do about a column that is not a float vector: convert numbers, concatenate scalars, or load floats.</summary>
    private static string HowToConvert(string name, bool isVector, DataViewType itemType) => (isVector, itemType) switch
    {
        (true, NumberDataViewType) => $"Convert it first: mlContext.Transforms.Conversion.ConvertType(\"{name}\", outputKind: DataKind.Single).",
        (false, NumberDataViewType) => $"A sequence is one vector column, time-major: build it first, e.g. mlContext.Transforms.Concatenate(\"{name}\", <the columns of each time step, in order>).",
        _ => "Load or convert it to floats first.",
    };
}
