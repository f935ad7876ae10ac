using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>One hourly row of <see cref="EventSeries"/>.</summary>
public sealed class EventRow
{
    public string Time { get; set; } = "";

    /// <summary>The target: a daily cycle plus a step of +2 while a planned event runs, plus a little noise.</summary>
    public float Load { get; set; }

    /// <summary>1 while a planned event runs, else 0: known in advance (the schedule).</summary>
    public float Event { get; set; }
}

/// <summary>One row of known-future values, for the forecast engine.</summary>
public sealed class EventPlanRow
{
    public float Event { get; set; }
}

/// <summary>
/// A series whose target reacts to scheduled events known in advance: events of 6 hours start at pseudo-random hours
/// (about one a day), and the target steps up by 2 while one runs. Without the schedule, a forecast cannot know when
/// the next event starts; with it (a known-future column), it can.
/// </summary>
public static class EventSeries
{
    public static readonly DateTime Start = new(2021, 3, 1);
    public const int EventLength = 6;

    public static EventRow[] Create(int count, int seed = 11)
    {
        var random = new Random(seed);
        var rows = new EventRow[count];
        int eventLeft = 0;
        for (int t = 0; t < count; t++)
        {
            if (eventLeft == 0 && random.NextDouble() < 1.0 / 24)
                eventLeft = EventLength;
            float planned = eventLeft > 0 ? 1f : 0f;
            if (eventLeft > 0)
                eventLeft--;
            rows[t] = new EventRow
            {
                Time = Start.AddHours(t).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                Load = (float)(0.5 * Math.Sin(2 * Math.PI * t / 24) + 2 * planned + 0.05 * (random.NextDouble() - 0.5)),
                Event = planned,
            };
        }
        return rows;
    }

    public static IDataView Load(MLContext ml, IEnumerable<EventRow> rows) => ml.Data.LoadFromEnumerable(rows);

    /// <summary>Windows of Load (and its past Event values) → Load; with <paramref name="futureEvents"/>, the Event schedule of
    /// the forecast steps as a known-future column; <paramref name="calendar"/> adds calendar features.</summary>
    public static SequenceWindowOptions WindowOptions(bool futureEvents, CalendarFeatures calendar = CalendarFeatures.None, DateTime[]? holidays = null) => new()
    {
        InputColumnNames = new[] { "Load", "Event" },
        TargetColumnNames = new[] { "Load" },
        InputLength = 24,
        Horizon = 12,
        TimestampColumnName = calendar == CalendarFeatures.None ? null : "Time",
        FutureColumnNames = futureEvents ? new[] { "Event" } : null,
        CalendarFeatures = calendar,
        Holidays = holidays,
    };

    /// <summary>A small segment-recurrent forecaster; reads the known-future column when <paramref name="future"/>.</summary>
    public static Seq2SeqOptions Options(bool future, int maxEpochs = 12) => new()
    {
        Family = NetworkFamily.SegmentRecurrent,
        FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 4 },
        HiddenSize = 32,
        BatchSize = 32,
        LearningRate = 5e-3,
        MaxEpochs = maxEpochs,
        Seed = 1,
        FutureFeatureColumnName = future ? "FutureFeatures" : null,
    };

    /// <summary>Mean squared error of Score against Label over every window of <paramref name="scored"/>.</summary>
    public static double MeanSquaredError(IDataView scored)
    {
        float[][] scores = scored.GetColumn<float[]>("Score").ToArray();
        float[][] labels = scored.GetColumn<float[]>("Label").ToArray();
        double sum = 0;
        long count = 0;
        for (int i = 0; i < scores.Length; i++)
            for (int j = 0; j < scores[i].Length; j++, count++)
                sum += (scores[i][j] - labels[i][j]) * (double)(scores[i][j] - labels[i][j]);
        return sum / count;
    }
}
