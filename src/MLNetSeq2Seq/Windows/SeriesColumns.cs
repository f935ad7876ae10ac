using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Windows;

/// <summary>
/// Finds the columns of a series by name, checks their types, and makes getters that read one numeric value per
/// row as a double (so one check catches NaN, infinities and values beyond the Single range for every source type).
/// </summary>
internal static class SeriesColumns
{
    /// <summary>The column, or an error naming it, the option that named it, and the series' columns.</summary>
    public static DataViewSchema.Column Find(DataViewSchema schema, string name, string option)
    {
        DataViewSchema.Column? column = schema.GetColumnOrNull(name);
        if (column is null)
            throw new ArgumentException($"Column '{name}' (named in {option}) is not in the series. Its columns are: {ListColumns(schema)}.", "series");
        return column.Value;
    }

    /// <summary>A numeric scalar column (Single, Double or an integer type), or an error saying what it is instead.</summary>
    public static DataViewSchema.Column FindNumeric(DataViewSchema schema, string name, string option)
    {
        DataViewSchema.Column column = Find(schema, name, option);
        if (column.Type is not NumberDataViewType)
            throw new ArgumentException($"Column '{name}' (named in {option}) is {column.Type}, but window values must come from numeric scalar columns: " +
                "Single, Double or an integer type (converted to Single). Load it as a number, or convert it with mlContext.Transforms.Conversion.ConvertType.", "series");
        return column;
    }

    /// <summary>A scalar column of any type, to be copied through unchanged.</summary>
    public static DataViewSchema.Column FindScalar(DataViewSchema schema, string name, string option)
    {
        DataViewSchema.Column column = Find(schema, name, option);
        if (column.Type is VectorDataViewType)
            throw new ArgumentException($"Column '{name}' (named in {option}) is {column.Type}; only a scalar column (text, DateTime, a number, ...) can be copied to the windows.", "series");
        return column;
    }

    /// <summary>The series id column (<see cref="SequenceWindowOptions.SeriesColumnName"/>): text, a key, or a number.</summary>
    public static DataViewSchema.Column FindSeriesId(DataViewSchema schema, string name)
    {
        string option = nameof(SequenceWindowOptions.SeriesColumnName);
        DataViewSchema.Column column = Find(schema, name, option);
        if (column.Type is not (TextDataViewType or KeyDataViewType or NumberDataViewType))
            throw new ArgumentException($"Column '{name}' (named in {option}) is {column.Type}; a series id must be text, a key or a number, one per row.", "series");
        return column;
    }

    /// <summary>A getter reading the column's value on the cursor's current row, widened to double.</summary>
    public static Func<double> NumericGetter(DataViewRow row, DataViewSchema.Column column)
    {
        Type type = column.Type.RawType;
        if (type == typeof(float)) return Widen<float>(row, column, v => v);
        if (type == typeof(double)) return Widen<double>(row, column, v => v);
        if (type == typeof(sbyte)) return Widen<sbyte>(row, column, v => v);
        if (type == typeof(byte)) return Widen<byte>(row, column, v => v);
        if (type == typeof(short)) return Widen<short>(row, column, v => v);
        if (type == typeof(ushort)) return Widen<ushort>(row, column, v => v);
        if (type == typeof(int)) return Widen<int>(row, column, v => v);
        if (type == typeof(uint)) return Widen<uint>(row, column, v => v);
        if (type == typeof(long)) return Widen<long>(row, column, v => v);
        if (type == typeof(ulong)) return Widen<ulong>(row, column, v => v);
        throw new ArgumentException($"Column '{column.Name}' has the unsupported numeric type {column.Type}.", "series");
    }

    public static string ListColumns(DataViewSchema schema) =>
        string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"));

    private static Func<double> Widen<T>(DataViewRow row, DataViewSchema.Column column, Func<T, double> widen)
    {
        ValueGetter<T> getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return widen(value);
        };
    }
}
