using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq.Windows;

/// <summary>
/// What a forecast step's known-future features are: the series columns known ahead (standardized like the inputs
/// when the windows are), then the calendar features of the step's timestamp. K = column count + calendar values.
/// Carried from the window view to the model on the label column's annotations, saved with the model, and used by
/// the forecast engine to build the features of the steps it forecasts.
/// </summary>
internal sealed class FutureFeatureSpec
{
    private const string Prefix = "MLNetSeq2Seq.Future.";
    internal const string ColumnsAnnotation = Prefix + "Columns";
    internal const string CalendarAnnotation = Prefix + "Calendar";
    internal const string HolidaysAnnotation = Prefix + "Holidays";

    private readonly string[] _columnNames;
    private readonly HashSet<DateTime> _holidays;
    private readonly DateTime[] _holidayList;

    internal const string MeansAnnotation = Prefix + "Means";
    internal const string StandardDeviationsAnnotation = Prefix + "StandardDeviations";

    public FutureFeatureSpec(IReadOnlyList<string>? columnNames, CalendarFeatures calendar, IEnumerable<DateTime>? holidays, SeriesStatistics? statistics = null)
    {
        _columnNames = columnNames?.ToArray() ?? Array.Empty<string>();
        Calendar = calendar;
        _holidayList = (holidays ?? Array.Empty<DateTime>()).Select(d => d.Date).Distinct().OrderBy(d => d).ToArray();
        _holidays = new HashSet<DateTime>(_holidayList);
        if (statistics is not null && _columnNames.Length > 0)
        {
            if (_columnNames.FirstOrDefault(c => statistics.IndexOf(c) < 0) is string missing)
                throw new InvalidDataException($"the series statistics have no future column '{missing}'");
            // Only the future columns' statistics, so the spec stands alone.
            Statistics = new SeriesStatistics(_columnNames, _columnNames.Select(c => statistics.Means[statistics.IndexOf(c)]).ToArray(),
                _columnNames.Select(c => statistics.StandardDeviations[statistics.IndexOf(c)]).ToArray());
        }
    }

    /// <summary>The statistics the future columns were standardized with; null when they hold values as read (or there are none).</summary>
    public SeriesStatistics? Statistics { get; }

    /// <summary>Standardizes one raw value of future column <paramref name="k"/> (identity without statistics).</summary>
    public float Standardize(int k, double value) => (float)(Statistics is null ? value : Statistics.Standardize(_columnNames[k], value));

    /// <summary>The series columns known ahead, in order (the first values of each step).</summary>
    public IReadOnlyList<string> ColumnNames => _columnNames;

    public CalendarFeatures Calendar { get; }

    /// <summary>The holiday dates (date part only, sorted).</summary>
    public IReadOnlyList<DateTime> Holidays => _holidayList;

    /// <summary>Calendar values per step.</summary>
    public int CalendarCount => CalendarCountOf(Calendar);

    /// <summary>Values per forecast step (K).</summary>
    public int Count => _columnNames.Length + CalendarCount;

    public static int CalendarCountOf(CalendarFeatures calendar) =>
        (calendar.HasFlag(CalendarFeatures.HourOfDay) ? 2 : 0) + (calendar.HasFlag(CalendarFeatures.DayOfWeek) ? 2 : 0)
        + (calendar.HasFlag(CalendarFeatures.DayOfYear) ? 2 : 0) + (calendar.HasFlag(CalendarFeatures.Month) ? 1 : 0)
        + (calendar.HasFlag(CalendarFeatures.Holiday) ? 1 : 0);

    /// <summary>Writes the calendar values of <paramref name="time"/> (<see cref="CalendarCount"/> of them).</summary>
    public void WriteCalendar(DateTime time, Span<float> destination)
    {
        int i = 0;
        if (Calendar.HasFlag(CalendarFeatures.HourOfDay))
            Pair(time.TimeOfDay.TotalHours / 24, destination, ref i);
        if (Calendar.HasFlag(CalendarFeatures.DayOfWeek))
            Pair((int)time.DayOfWeek / 7.0, destination, ref i);
        if (Calendar.HasFlag(CalendarFeatures.DayOfYear))
            Pair((time.DayOfYear - 1) / (double)(DateTime.IsLeapYear(time.Year) ? 366 : 365), destination, ref i);
        if (Calendar.HasFlag(CalendarFeatures.Month))
            destination[i++] = (float)((time.Month - 1) / 11.0 - 0.5);
        if (Calendar.HasFlag(CalendarFeatures.Holiday))
            destination[i++] = _holidays.Contains(time.Date) ? 1f : 0f;
    }

    private static void Pair(double fraction, Span<float> destination, ref int i)
    {
        double angle = 2 * Math.PI * fraction;
        destination[i++] = (float)Math.Sin(angle);
        destination[i++] = (float)Math.Cos(angle);
    }

    /// <summary>Names of the K values of one step: the columns, then "hour_sin", "hour_cos", ….</summary>
    public IEnumerable<string> ValueNames()
    {
        foreach (string column in _columnNames)
            yield return column;
        if (Calendar.HasFlag(CalendarFeatures.HourOfDay)) { yield return "hour_sin"; yield return "hour_cos"; }
        if (Calendar.HasFlag(CalendarFeatures.DayOfWeek)) { yield return "weekday_sin"; yield return "weekday_cos"; }
        if (Calendar.HasFlag(CalendarFeatures.DayOfYear)) { yield return "yearday_sin"; yield return "yearday_cos"; }
        if (Calendar.HasFlag(CalendarFeatures.Month)) yield return "month";
        if (Calendar.HasFlag(CalendarFeatures.Holiday)) yield return "holiday";
    }

    /// <summary>Adds this spec to a window view's label column annotations.</summary>
    public void AddTo(DataViewSchema.Annotations.Builder builder)
    {
        string[] columns = _columnNames;
        builder.Add(ColumnsAnnotation, new VectorDataViewType(TextDataViewType.Instance, columns.Length),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(columns.Length, columns.Select(c => c.AsMemory()).ToArray()));
        int calendar = (int)Calendar;
        builder.Add(CalendarAnnotation, NumberDataViewType.Int32, (ref int value) => value = calendar);
        long[] ticks = _holidayList.Select(d => d.Ticks).ToArray();
        builder.Add(HolidaysAnnotation, new VectorDataViewType(NumberDataViewType.Int64, ticks.Length),
            (ref VBuffer<long> value) => value = new VBuffer<long>(ticks.Length, (long[])ticks.Clone()));
        if (Statistics is null)
            return;
        double[] means = Statistics.Means.ToArray(), deviations = Statistics.StandardDeviations.ToArray();
        builder.Add(MeansAnnotation, new VectorDataViewType(NumberDataViewType.Double, means.Length),
            (ref VBuffer<double> value) => value = new VBuffer<double>(means.Length, (double[])means.Clone()));
        builder.Add(StandardDeviationsAnnotation, new VectorDataViewType(NumberDataViewType.Double, deviations.Length),
            (ref VBuffer<double> value) => value = new VBuffer<double>(deviations.Length, (double[])deviations.Clone()));
    }

    /// <summary>The spec a label column carries from a window view, or null.</summary>
    public static FutureFeatureSpec? Of(DataViewSchema.Column column)
    {
        DataViewSchema.Annotations annotations = column.Annotations;
        if (annotations.Schema.GetColumnOrNull(CalendarAnnotation)?.Type != NumberDataViewType.Int32
            || annotations.Schema.GetColumnOrNull(ColumnsAnnotation)?.Type is not VectorDataViewType { ItemType: TextDataViewType }
            || annotations.Schema.GetColumnOrNull(HolidaysAnnotation)?.Type is not VectorDataViewType holidayType || holidayType.ItemType != NumberDataViewType.Int64)
            return null;
        int calendar = 0;
        annotations.GetValue(CalendarAnnotation, ref calendar);
        VBuffer<ReadOnlyMemory<char>> columns = default;
        annotations.GetValue(ColumnsAnnotation, ref columns);
        VBuffer<long> ticks = default;
        annotations.GetValue(HolidaysAnnotation, ref ticks);
        string[] names = columns.DenseValues().Select(c => c.ToString()).ToArray();
        try
        {
            SeriesStatistics? statistics = null;
            if (annotations.Schema.GetColumnOrNull(MeansAnnotation)?.Type is VectorDataViewType { ItemType: NumberDataViewType } meanType && meanType.ItemType == NumberDataViewType.Double
                && annotations.Schema.GetColumnOrNull(StandardDeviationsAnnotation)?.Type is VectorDataViewType { ItemType: NumberDataViewType } deviationType && deviationType.ItemType == NumberDataViewType.Double)
            {
                VBuffer<double> means = default, deviations = default;
                annotations.GetValue(MeansAnnotation, ref means);
                annotations.GetValue(StandardDeviationsAnnotation, ref deviations);
                statistics = new SeriesStatistics(names, means.DenseValues().ToArray(), deviations.DenseValues().ToArray());
            }
            return new FutureFeatureSpec(names, (CalendarFeatures)calendar, ticks.DenseValues().Select(t => new DateTime(t)).ToArray(), statistics);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            return null; // damaged annotations: the model then records no spec (no engine support), as for other data
        }
    }

    // *** Binary format *** (inside the model's checked block, from format 0x00010009 on)
    // int: column count, then that many strings; int: calendar flags; int: holiday count, then that many long ticks;
    // bool: has statistics; if so, per column double mean, double standard deviation
    public void Write(BinaryWriter writer)
    {
        writer.Write(_columnNames.Length);
        foreach (string name in _columnNames)
            writer.Write(name);
        writer.Write((int)Calendar);
        writer.Write(_holidayList.Length);
        foreach (DateTime day in _holidayList)
            writer.Write(day.Ticks);
        writer.Write(Statistics is not null);
        for (int i = 0; Statistics is not null && i < _columnNames.Length; i++)
        {
            writer.Write(Statistics.Means[i]);
            writer.Write(Statistics.StandardDeviations[i]);
        }
    }

    public static FutureFeatureSpec Read(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > 1 << 20)
            throw new InvalidDataException($"the future features name {count} columns");
        BytesLeft.Require(reader, count, 2, "the future-feature column names");
        var names = new string[count];
        for (int i = 0; i < count; i++)
            names[i] = reader.ReadString() is { Length: > 0 } name ? name : throw new InvalidDataException($"future column {i} is empty");
        int calendar = reader.ReadInt32();
        if ((calendar & ~(int)(CalendarFeatures.All | CalendarFeatures.Holiday)) != 0)
            throw new InvalidDataException($"calendar flags {calendar} are not known");
        int holidays = reader.ReadInt32();
        if (holidays < 0 || holidays > 1 << 24)
            throw new InvalidDataException($"the future features hold {holidays} holidays");
        BytesLeft.Require(reader, holidays, 8, "the holidays");
        var days = new DateTime[holidays];
        for (int i = 0; i < holidays; i++)
        {
            long ticks = reader.ReadInt64();
            if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
                throw new InvalidDataException($"holiday {i} ({ticks} ticks) is not a date");
            days[i] = new DateTime(ticks);
        }
        SeriesStatistics? statistics = null;
        if (reader.ReadBoolean())
            statistics = SeriesStatistics.ReadSaved(reader, count, names, "future columns' statistics");
        return new FutureFeatureSpec(names, (CalendarFeatures)calendar, days, statistics);
    }
}
