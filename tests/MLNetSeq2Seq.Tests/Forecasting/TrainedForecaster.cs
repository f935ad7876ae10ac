using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Tests.Data;
using MLNetSeq2Seq.Tests.Reliability;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>
/// One small forecaster trained once per test class on windows of a generated hourly series: inputs A, B, C (L = 30),
/// targets B, A (H = 10), z-scored with the training rows' statistics by the chronological split.
/// </summary>
public sealed class TrainedForecaster : IDisposable
{
    public const int RowCount = 420;
    public const int InputLength = 30;
    public const int Horizon = 10;
    public static readonly string[] Inputs = { "A", "B", "C" };
    public static readonly string[] Targets = { "B", "A" };

    public TrainedForecaster()
    {
        Rows = GeneratedSeries.Create(RowCount);
        Split = Context.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(Context, Rows), WindowOptions(), new ChronologicalSplit(300, 360, 420));
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 2);
        options.Family = NetworkFamily.SegmentRecurrent;
        options.FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 8 };
        options.InstanceNormalization = InstanceNormalization.SubtractLast;
        options.ChannelIndependent = null;
        Model = Context.Regression.Trainers.Seq2Seq(options).Fit(Split.Train);
    }

    public MLContext Context { get; } = new(seed: 1);

    public SeriesRow[] Rows { get; }

    public SequenceWindowSplit Split { get; }

    public Seq2SeqTransformer Model { get; }

    public static SequenceWindowOptions WindowOptions() =>
        new() { InputColumnNames = Inputs, TargetColumnNames = Targets, InputLength = InputLength, Horizon = Horizon, Stride = 2 };

    /// <summary>The series up to (not including) row <paramref name="end"/>.</summary>
    public IDataView Series(int end) => GeneratedSeries.Load(Context, Rows.Take(end));

    public IDataView Series(IEnumerable<SeriesRow> rows) => GeneratedSeries.Load(Context, rows);

    public void Dispose() => Model.Dispose();
}
