using System;
using Microsoft.ML;
using MLNetSeq2Seq.Tests.Data;
using MLNetSeq2Seq.Tests.Reliability;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>
/// Two small quantile forecasters (levels 0.1, 0.5, 0.9) trained once per test class on the windows of
/// <see cref="TrainedForecaster"/>'s generated series: the segment-recurrent family with the point loss (weight 1), and
/// the autoregressive family with the point loss off (the point forecast trained as the median).
/// </summary>
public sealed class QuantileForecaster : IDisposable
{
    public static readonly double[] Levels = { 0.1, 0.5, 0.9 };

    public QuantileForecaster()
    {
        Rows = GeneratedSeries.Create(TrainedForecaster.RowCount);
        Split = Context.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(Context, Rows), TrainedForecaster.WindowOptions(), new ChronologicalSplit(300, 360, 420));
        Seq2SeqOptions segment = ReliabilityKit.TinyOptions(maxEpochs: 2);
        segment.Family = NetworkFamily.SegmentRecurrent;
        segment.FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 5 };
        segment.InstanceNormalization = InstanceNormalization.SubtractLast;
        segment.ChannelIndependent = null;
        segment.Quantiles = new() { Levels = Levels };
        Segment = Context.Regression.Trainers.Seq2Seq(segment).Fit(Split.Train);

        Seq2SeqOptions median = ReliabilityKit.TinyOptions(maxEpochs: 2);
        median.Quantiles = new() { Levels = Levels, PointLossWeight = 0 };
        Median = Context.Regression.Trainers.Seq2Seq(median).Fit(Split.Train);
    }

    public MLContext Context { get; } = new(seed: 1);

    public SeriesRow[] Rows { get; }

    public SequenceWindowSplit Split { get; }

    /// <summary>Segment-recurrent, point loss plus pinball loss.</summary>
    public Seq2SeqTransformer Segment { get; }

    /// <summary>Autoregressive, pinball loss only (PointLossWeight = 0).</summary>
    public Seq2SeqTransformer Median { get; }

    public void Dispose()
    {
        Segment.Dispose();
        Median.Dispose();
    }
}
