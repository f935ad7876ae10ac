using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Forecasting;
using Xunit;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>Quantile calibration on the other data paths: streamed validation rows, and windows with known-future inputs.</summary>
public sealed class QuantileCalibrationPathsTests
{
    private static readonly double[] s_levels = { 0.1, 0.5, 0.9 };

    [Fact]
    public void A_streamed_Fit_calibrates_on_its_streamed_validation_rows_exactly_as_in_memory()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(120, seed: 41));

        Seq2SeqOptions Options(int? pool)
        {
            var options = SyntheticSequences.SmallOptions(3);
            options.Quantiles = new() { Levels = s_levels };
            options.ValidationFraction = 0.25;
            options.Streaming = pool is int rows ? new() { ShufflePoolRows = rows } : null;
            return options;
        }

        using Seq2SeqTransformer inMemory = ml.Regression.Trainers.Seq2Seq(Options(null)).Fit(data);
        using Seq2SeqTransformer streamed = ml.Regression.Trainers.Seq2Seq(Options(1_000)).Fit(data); // the pool holds every row

        QuantileCalibration expected = Assert.IsType<QuantileCalibration>(inMemory.QuantileCalibration);
        QuantileCalibration actual = Assert.IsType<QuantileCalibration>(streamed.QuantileCalibration);
        Assert.Equal(expected.WindowCount, actual.WindowCount);
        Assert.Equal(expected.Offsets, actual.Offsets);
    }

    [Fact]
    public void A_model_with_known_future_inputs_calibrates_its_intervals_on_the_validation_windows()
    {
        var ml = new MLContext(seed: 1);
        EventRow[] rows = EventSeries.Create(700);
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(EventSeries.Load(ml, rows), EventSeries.WindowOptions(futureEvents: true),
            new ChronologicalSplit(500, 600, 700));
        Seq2SeqOptions options = EventSeries.Options(future: true, maxEpochs: 2);
        options.Quantiles = new() { Levels = s_levels };
        options.ValidationSet = split.Validation;

        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(split.Train);

        QuantileCalibration calibration = Assert.IsType<QuantileCalibration>(model.QuantileCalibration);
        Assert.Equal((int)split.Validation.GetRowCount()!.Value, calibration.WindowCount);
        Assert.All(calibration.Offsets, offset => Assert.True(float.IsFinite(offset)));
    }
}
