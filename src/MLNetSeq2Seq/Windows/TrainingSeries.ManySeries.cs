using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq;

// The many-series part of the training series (SequenceWindowOptions.SeriesColumnName): the id column and, when each
// series was standardized with its own statistics, those statistics. Kept apart from the single-series description.
public sealed partial class TrainingSeries
{
    internal const string SeriesColumnAnnotation = Prefix + "SeriesColumn";
    internal const string SeriesIdsAnnotation = Prefix + "SeriesIds";
    internal const string SeriesMeansAnnotation = Prefix + "SeriesMeans";
    internal const string SeriesStandardDeviationsAnnotation = Prefix + "SeriesStandardDeviations";

    /// <summary>The series id column of the long-form data the windows were cut from
    /// (<see cref="SequenceWindowOptions.SeriesColumnName"/>); null when they came from one series.</summary>
    public string? SeriesColumnName { get; internal init; }

    /// <summary>Each series' z-score statistics, when every series was standardized with its own
    /// (<see cref="SeriesStandardization.PerSeries"/>; <see cref="Statistics"/> is then null); otherwise null.</summary>
    public PerSeriesStatistics? PerSeriesStatistics { get; internal init; }

    /// <summary>The description of one series: the same columns and length, with that series' statistics as
    /// <see cref="Statistics"/> (for the forecast engine). Without per-series statistics, this description.</summary>
    internal TrainingSeries ForSeries(string seriesId)
    {
        if (PerSeriesStatistics is not PerSeriesStatistics perSeries)
            return this;
        return new TrainingSeries(_inputColumnNames, _targetColumnNames, InputLength, perSeries[seriesId]) { SeriesColumnName = SeriesColumnName };
    }

    private void AddManySeriesTo(DataViewSchema.Annotations.Builder builder)
    {
        if (SeriesColumnName is null)
            return;
        AddText(builder, SeriesColumnAnnotation, new[] { SeriesColumnName });
        if (PerSeriesStatistics is not PerSeriesStatistics perSeries)
            return;
        string[] columns = ColumnNames.ToArray();
        string[] ids = perSeries.SeriesIds.ToArray();
        AddText(builder, SeriesIdsAnnotation, ids);
        AddDoubles(builder, SeriesMeansAnnotation, ids.SelectMany(id => columns.Select(c => perSeries[id].Means[perSeries[id].IndexOf(c)])).ToArray());
        AddDoubles(builder, SeriesStandardDeviationsAnnotation, ids.SelectMany(id => columns.Select(c => perSeries[id].StandardDeviations[perSeries[id].IndexOf(c)])).ToArray());
    }

    private static TrainingSeries WithManySeriesFrom(DataViewSchema.Annotations annotations, TrainingSeries series)
    {
        if (Text(annotations, SeriesColumnAnnotation) is not [string column])
            return series;
        PerSeriesStatistics? perSeries = null;
        if (Text(annotations, SeriesIdsAnnotation) is string[] ids && Doubles(annotations, SeriesMeansAnnotation) is double[] means
            && Doubles(annotations, SeriesStandardDeviationsAnnotation) is double[] deviations)
            perSeries = Build(series.ColumnNames.ToArray(), ids, means, deviations);
        return new TrainingSeries(series._inputColumnNames, series._targetColumnNames, series.InputLength, series.Statistics) { SeriesColumnName = column, PerSeriesStatistics = perSeries };
    }

    private static PerSeriesStatistics Build(string[] columns, string[] ids, double[] means, double[] deviations)
    {
        if (means.Length != (long)ids.Length * columns.Length || deviations.Length != means.Length)
            throw new InvalidDataException($"the per-series statistics hold {means.Length} means and {deviations.Length} deviations for {ids.Length} series of {columns.Length} columns");
        return new PerSeriesStatistics(ids.Select((id, s) => KeyValuePair.Create(id,
            new SeriesStatistics(columns, means.AsSpan(s * columns.Length, columns.Length).ToArray(), deviations.AsSpan(s * columns.Length, columns.Length).ToArray()))));
    }

    // *** Binary format *** (after Write, inside the model's checked block, from format 0x00010008 on)
    // bool: has a series column; if so string: its name; int: number of series with statistics S (0: none);
    // then per series string id, and per column of ColumnNames (in that order) double mean, double standard deviation
    internal void WriteManySeries(BinaryWriter writer)
    {
        writer.Write(SeriesColumnName is not null);
        if (SeriesColumnName is null)
            return;
        writer.Write(SeriesColumnName);
        string[] columns = ColumnNames.ToArray();
        writer.Write(PerSeriesStatistics?.SeriesIds.Count ?? 0);
        foreach (string id in PerSeriesStatistics?.SeriesIds ?? Array.Empty<string>())
        {
            SeriesStatistics statistics = PerSeriesStatistics![id];
            writer.Write(id);
            foreach (string column in columns)
            {
                writer.Write(statistics.Means[statistics.IndexOf(column)]);
                writer.Write(statistics.StandardDeviations[statistics.IndexOf(column)]);
            }
        }
    }

    internal TrainingSeries ReadManySeries(BinaryReader reader)
    {
        if (!reader.ReadBoolean())
            return this;
        string column = reader.ReadString() is { Length: > 0 } name ? name : throw new InvalidDataException("the training series' series column name is empty");
        int count = reader.ReadInt32();
        if (count < 0 || count > 1 << 24)
            throw new InvalidDataException($"the training series holds statistics of {count} series");
        string[] columns = ColumnNames.ToArray();
        BytesLeft.Require(reader, count, 1 + 16L * columns.Length, "the per-series statistics"); // an id, then a mean and a deviation per column
        var ids = new string[count];
        var means = new double[(long)count * columns.Length];
        var deviations = new double[means.Length];
        for (int s = 0; s < count; s++)
        {
            ids[s] = reader.ReadString();
            for (int c = 0; c < columns.Length; c++)
            {
                means[s * columns.Length + c] = reader.ReadDouble();
                deviations[s * columns.Length + c] = reader.ReadDouble();
            }
        }
        try
        {
            PerSeriesStatistics? perSeries = count == 0 ? null : Build(columns, ids, means, deviations);
            return new TrainingSeries(_inputColumnNames, _targetColumnNames, InputLength, Statistics) { SeriesColumnName = column, PerSeriesStatistics = perSeries };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("the per-series statistics are damaged: " + e.Message, e);
        }
    }
}
