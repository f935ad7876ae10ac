using System;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Tests.Data;
using MLNetSeq2Seq.Tests.Reliability;

namespace MLNetSeq2Seq.Tests.Plots;

/// <summary>
/// A small quantile forecaster (levels 0.1 / 0.5 / 0.9) trained once per test class with validation on a generated
/// hourly series: inputs and targets A, B (L = 30, H = 10), windows carrying their forecast start time.
/// </summary>
public sealed class PlottedForecaster : IDisposable
{
    public const int RowCount = 420;
    public static readonly string[] Columns = { "A", "B" };
    public static readonly double[] Levels = { 0.1, 0.5, 0.9 };

    public PlottedForecaster()
    {
        Rows = GeneratedSeries.Create(RowCount);
        var windows = new SequenceWindowOptions
        {
            InputColumnNames = Columns, InputLength = 30, Horizon = 10, Stride = 2, TimestampColumnName = "Time", ForecastStartTimestampColumnName = "ForecastStart",
        };
        Split = Context.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(Context, Rows), windows, new ChronologicalSplit(300, 360, 420));
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 3);
        options.Family = NetworkFamily.SegmentRecurrent;
        options.FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 5 };
        options.InstanceNormalization = InstanceNormalization.SubtractLast;
        options.ChannelIndependent = null;
        options.Quantiles = new() { Levels = Levels };
        options.ValidationSet = Split.Validation;
        Model = Context.Regression.Trainers.Seq2Seq(options).Fit(Split.Train);
    }

    public MLContext Context { get; } = new(seed: 1);

    public SeriesRow[] Rows { get; }

    public SequenceWindowSplit Split { get; }

    public Seq2SeqTransformer Model { get; }

    public IDataView Series => GeneratedSeries.Load(Context, Rows);

    public void Dispose() => Model.Dispose();
}
