using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq;

/// <summary>
/// What a model knows about the series its training windows were cut from: the input and target columns, the input
/// length L, and the z-score statistics the windows were standardized with. Recorded by Fit when the training data are
/// windows of <see cref="Seq2SeqCatalog.CreateSequenceWindows"/> or <see cref="Seq2SeqCatalog.SplitSequenceWindowsChronologically"/>
/// (the window view writes it as annotations on its label column, which pipelines pass through), saved in the model
/// zip, and used by the forecast engine (raw values in, forecasts in the series' units out) and by Transform's checks
/// (window length and columns). Null on <see cref="Seq2SeqTransformer.TrainingSeries"/> for models trained on other data.
/// </summary>
public sealed partial class TrainingSeries
{
    private const string Prefix = "MLNetSeq2Seq.Series.";
    internal const string InputColumnsAnnotation = Prefix + "InputColumns";
    internal const string TargetColumnsAnnotation = Prefix + "TargetColumns";
    internal const string InputLengthAnnotation = Prefix + "InputLength";
    internal const string StatisticsColumnsAnnotation = Prefix + "StatisticsColumns";
    internal const string MeansAnnotation = Prefix + "Means";
    internal const string StandardDeviationsAnnotation = Prefix + "StandardDeviations";

    private readonly string[] _inputColumnNames;
    private readonly string[] _targetColumnNames;

    internal TrainingSeries(IReadOnlyList<string> inputColumnNames, IReadOnlyList<string> targetColumnNames, int inputLength, SeriesStatistics? statistics)
    {
        if (inputColumnNames.Count == 0 || targetColumnNames.Count == 0 || inputLength <= 0)
            throw new InvalidDataException($"a training series needs input and target columns and an input length ≥ 1 (it has {inputColumnNames.Count}, {targetColumnNames.Count} and {inputLength})");
        _inputColumnNames = inputColumnNames.ToArray();
        _targetColumnNames = targetColumnNames.ToArray();
        InputLength = inputLength;
        Statistics = statistics;
        if (statistics is not null && ColumnNames.FirstOrDefault(c => statistics.IndexOf(c) < 0) is string missing)
            throw new InvalidDataException($"the series statistics have no column '{missing}'");
    }

    /// <summary>The series columns of each input step, in order (F of them).</summary>
    public IReadOnlyList<string> InputColumnNames => _inputColumnNames;

    /// <summary>The series columns of each predicted step, in order (O of them).</summary>
    public IReadOnlyList<string> TargetColumnNames => _targetColumnNames;

    /// <summary>Input steps per window (L), in rows of the series.</summary>
    public int InputLength { get; }

    /// <summary>The statistics every input and target value was standardized with, (v − mean) / scale; null when the
    /// windows held the values as read.</summary>
    public SeriesStatistics? Statistics { get; }

    /// <summary>The input columns, then the target columns that are not inputs: what the series must provide.</summary>
    internal IReadOnlyList<string> ColumnNames => _inputColumnNames.Concat(_targetColumnNames.Except(_inputColumnNames)).ToArray();

    /// <summary>Standardizes one value of a column (identity without statistics).</summary>
    internal float Standardize(string column, double value) =>
        (float)(Statistics is null ? value : Statistics.Standardize(column, value));

    /// <summary>Maps a time-major forecast of the target columns back to the series' units (a copy without statistics).</summary>
    internal float[] Unstandardize(ReadOnlySpan<float> forecast) =>
        Statistics is null ? forecast.ToArray() : Statistics.Unstandardize(forecast, _targetColumnNames);

    /// <summary>Adds this description to a window view's label column annotations.</summary>
    internal void AddTo(DataViewSchema.Annotations.Builder builder)
    {
        AddText(builder, InputColumnsAnnotation, _inputColumnNames);
        AddText(builder, TargetColumnsAnnotation, _targetColumnNames);
        int length = InputLength;
        builder.Add(InputLengthAnnotation, NumberDataViewType.Int32, (ref int value) => value = length);
        AddManySeriesTo(builder);
        if (Statistics is not SeriesStatistics statistics)
            return;
        string[] columns = ColumnNames.ToArray();
        AddText(builder, StatisticsColumnsAnnotation, columns);
        AddDoubles(builder, MeansAnnotation, columns.Select(c => statistics.Means[statistics.IndexOf(c)]).ToArray());
        AddDoubles(builder, StandardDeviationsAnnotation, columns.Select(c => statistics.StandardDeviations[statistics.IndexOf(c)]).ToArray());
    }

    /// <summary>The description a column carries from a window view, or null when it carries none (or a damaged one).</summary>
    internal static TrainingSeries? Of(DataViewSchema.Column column)
    {
        DataViewSchema.Annotations annotations = column.Annotations;
        string[]? inputs = Text(annotations, InputColumnsAnnotation), targets = Text(annotations, TargetColumnsAnnotation);
        if (inputs is null || targets is null || annotations.Schema.GetColumnOrNull(InputLengthAnnotation)?.Type != NumberDataViewType.Int32)
            return null;
        int length = 0;
        annotations.GetValue(InputLengthAnnotation, ref length);
        try
        {
            SeriesStatistics? statistics = null;
            if (Text(annotations, StatisticsColumnsAnnotation) is string[] columns
                && Doubles(annotations, MeansAnnotation) is double[] means && Doubles(annotations, StandardDeviationsAnnotation) is double[] deviations)
                statistics = new SeriesStatistics(columns, means, deviations);
            return WithManySeriesFrom(annotations, new TrainingSeries(inputs, targets, length, statistics));
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            return null;
        }
    }

    // *** Binary format *** (inside the model's checked block, from format 0x00010006 on)
    // int: input length L; int: F, then F strings; int: O, then O strings
    // bool: has statistics; if so int: count, then per column string name, double mean, double standard deviation
    internal void Write(BinaryWriter writer)
    {
        writer.Write(InputLength);
        WriteNames(writer, _inputColumnNames);
        WriteNames(writer, _targetColumnNames);
        writer.Write(Statistics is not null);
        if (Statistics is not SeriesStatistics statistics)
            return;
        writer.Write(statistics.ColumnNames.Count);
        for (int i = 0; i < statistics.ColumnNames.Count; i++)
        {
            writer.Write(statistics.ColumnNames[i]);
            writer.Write(statistics.Means[i]);
            writer.Write(statistics.StandardDeviations[i]);
        }
    }

    internal static TrainingSeries Read(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        string[] inputs = ReadNames(reader, "input column");
        string[] targets = ReadNames(reader, "target column");
        SeriesStatistics? statistics = null;
        if (reader.ReadBoolean())
        {
            int count = reader.ReadInt32();
            if (count <= 0 || count > 1 << 20)
                throw new InvalidDataException($"the series statistics cover {count} columns");
            statistics = SeriesStatistics.ReadSaved(reader, count, null, "series statistics");
        }
        return new TrainingSeries(inputs, targets, length, statistics);
    }

    private static void WriteNames(BinaryWriter writer, string[] names)
    {
        writer.Write(names.Length);
        foreach (string name in names)
            writer.Write(name);
    }

    private static string[] ReadNames(BinaryReader reader, string what)
    {
        int count = reader.ReadInt32();
        if (count <= 0 || count > 1 << 20)
            throw new InvalidDataException($"the training series has {count} {what}s");
        BytesLeft.Require(reader, count, 2, $"the training series' {what} names"); // a length and at least one byte each
        var names = new string[count];
        for (int i = 0; i < count; i++)
            names[i] = reader.ReadString() is { Length: > 0 } name ? name : throw new InvalidDataException($"{what} {i} of the training series is empty");
        return names;
    }

    private static void AddText(DataViewSchema.Annotations.Builder builder, string kind, string[] values) =>
        builder.Add(kind, new VectorDataViewType(TextDataViewType.Instance, values.Length),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(values.Length, values.Select(v => v.AsMemory()).ToArray()));

    private static void AddDoubles(DataViewSchema.Annotations.Builder builder, string kind, double[] values) =>
        builder.Add(kind, new VectorDataViewType(NumberDataViewType.Double, values.Length),
            (ref VBuffer<double> value) => value = new VBuffer<double>(values.Length, (double[])values.Clone()));

    private static string[]? Text(DataViewSchema.Annotations annotations, string kind)
    {
        if (annotations.Schema.GetColumnOrNull(kind)?.Type is not VectorDataViewType { ItemType: TextDataViewType, Size: > 0 })
            return null;
        VBuffer<ReadOnlyMemory<char>> value = default;
        annotations.GetValue(kind, ref value);
        return value.DenseValues().Select(v => v.ToString()).ToArray();
    }

    private static double[]? Doubles(DataViewSchema.Annotations annotations, string kind)
    {
        if (annotations.Schema.GetColumnOrNull(kind)?.Type is not VectorDataViewType { Size: > 0 } type || type.ItemType != NumberDataViewType.Double)
            return null;
        VBuffer<double> value = default;
        annotations.GetValue(kind, ref value);
        return value.DenseValues().ToArray();
    }
}
