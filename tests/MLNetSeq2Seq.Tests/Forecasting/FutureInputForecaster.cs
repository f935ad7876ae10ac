using System;
using System.Linq;
using Microsoft.ML;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>
/// Trained once per test class: an autoregressive forecaster of the event series with every known-future option (the
/// Event schedule, the hour-of-day and day-of-week calendar, a holiday list), on a chronological split.
/// </summary>
public sealed class FutureInputForecaster : IDisposable
{
    public const int RowCount = 400;
    public static readonly DateTime Holiday = EventSeries.Start.AddDays(15);
    public const CalendarFeatures Calendar = CalendarFeatures.HourOfDay | CalendarFeatures.DayOfWeek | CalendarFeatures.Holiday;

    public FutureInputForecaster()
    {
        Rows = EventSeries.Create(RowCount);
        Split = Context.Data.SplitSequenceWindowsChronologically(EventSeries.Load(Context, Rows), WindowOptions(), new ChronologicalSplit(300, 350, 400));
        Seq2SeqOptions options = EventSeries.Options(future: true, maxEpochs: 2);
        options.Family = NetworkFamily.AutoregressiveEncoderDecoder;
        options.FamilyOptions = null;
        options.HiddenSize = 8;
        Model = Context.Regression.Trainers.Seq2Seq(options).Fit(Split.Train);
    }

    public static SequenceWindowOptions WindowOptions() => EventSeries.WindowOptions(futureEvents: true, Calendar, new[] { Holiday });

    public MLContext Context { get; } = new(seed: 1);

    public EventRow[] Rows { get; }

    public SequenceWindowSplit Split { get; }

    public Seq2SeqTransformer Model { get; }

    public IDataView Series(int end) => EventSeries.Load(Context, Rows.Take(end));

    public void Dispose() => Model.Dispose();
}
