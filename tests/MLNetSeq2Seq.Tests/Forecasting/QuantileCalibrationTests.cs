using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Forecasting;
using MLNetSeq2Seq.Tests.ChildProcess;
using MLNetSeq2Seq.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>Split-conformal calibration of the quantile intervals (Seq2SeqOptions.Quantiles.Calibrate).</summary>
public sealed class QuantileCalibrationTests
{
    private static readonly double[] s_levels = { 0.1, 0.5, 0.9 };
    private readonly ITestOutputHelper _output;

    public QuantileCalibrationTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Calibration_offsets_match_a_hand_computation()
    {
        // H = 2, O = 1, levels 0.1 / 0.5 / 0.9; quantiles [H, Q, O]: step 0 (−1, 0, 1), step 1 (−10, 0, 10).
        float[] labels0 = { 0f, 0.5f, 1.5f, -2f, 3f, 0.2f, -0.7f, 1.1f, 2.5f };
        float[] labels1 = { 0f, 1f, -1f, 2f, -2f, 0.5f, 3f, -3f, 1.5f };
        var windows = labels0.Select((y, i) => (new[] { y, labels1[i] }, new[] { -1f, 0f, 1f, -10f, 0f, 10f }, 2)).ToList();
        // A window whose second step is padding and a NaN label: neither counts.
        windows.Add((new[] { float.NaN, 100f }, new[] { -1f, 0f, 1f, -10f, 0f, 10f }, 1));

        QuantileCalibration calibration = QuantileCalibration.Fit(s_levels, horizon: 2, outputFeatureCount: 1, windows);

        // Step 0 scores max(−1 − y, y − 1): −1, −0.5, 0.5, 1, 2, −0.8, −0.3, 0.1, 1.5; sorted, the ⌈(9 + 1)·0.8⌉ = 8th is 1.5.
        // Step 1 scores max(−10 − y, y − 10): −10, −9, −9, −8, −8, −9.5, −7, −7, −8.5; the 8th smallest is −7.
        Assert.Equal(new[] { 1.5f, -7f }, calibration.Offsets);
        Assert.Equal(10, calibration.WindowCount);

        float[] point = { 0f, 0f };
        float[] quantiles = { -1f, 0f, 1f, -10f, 0f, 10f };
        calibration.Apply(point, quantiles);
        Assert.Equal(new[] { -2.5f, 0f, 2.5f, -3f, 0f, 3f }, quantiles);
    }

    [Fact]
    public void Intervals_never_cross_after_calibration_and_the_point_forecast_stays()
    {
        // Two central pairs; the inner one widened far past the outer one, the outer one narrowed past the median.
        double[] levels = { 0.05, 0.25, 0.5, 0.75, 0.95 };
        const int H = 3, O = 2, Q = 5;
        var random = new Random(5);
        float[] offsets = Enumerable.Range(0, 2 * H * O).Select(i => i < H * O ? -4f + (float)random.NextDouble() : 3f + (float)random.NextDouble()).ToArray();
        var calibration = new QuantileCalibration(levels, H, O, offsets, windowCount: 1);
        int crossings = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            float[] point = Enumerable.Range(0, H * O).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            var quantiles = new float[H * Q * O];
            for (int h = 0; h < H; h++)
                for (int o = 0; o < O; o++)
                {
                    float p = point[h * O + o], inner = (float)random.NextDouble(), outer = inner + (float)random.NextDouble();
                    float[] column = { p - outer, p - inner, p, p + inner, p + outer };
                    for (int k = 0; k < Q; k++)
                        quantiles[(h * Q + k) * O + o] = column[k];
                }
            calibration.Apply(point, quantiles);
            for (int h = 0; h < H; h++)
                for (int o = 0; o < O; o++)
                {
                    Assert.Equal(point[h * O + o], quantiles[(h * Q + 2) * O + o]);
                    for (int k = 1; k < Q; k++)
                        crossings += quantiles[(h * Q + k) * O + o] < quantiles[(h * Q + k - 1) * O + o] ? 1 : 0;
                }
        }
        Assert.Equal(0, crossings);
    }

    /// <summary>A series whose noise is 5× larger in one regime, announced by column B (0 or 1, in blocks of 48 rows).</summary>
    private static SeriesRow[] Heteroscedastic(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            int regime = (i / 48 + i / 120) % 2;
            return new SeriesRow
            {
                Time = GeneratedSeries.Timestamp(i),
                A = (float)(2 * Math.Sin(2 * Math.PI * i / 24) + (regime == 1 ? 1.0 : 0.2) * gaussian),
                B = regime,
            };
        }).ToArray();
    }

    private static (MLContext Context, SequenceWindowSplit Split, SeriesRow[] Rows) HeteroscedasticSplit()
    {
        var ml = new MLContext(seed: 1);
        SeriesRow[] rows = Heteroscedastic(3000, seed: 11);
        var windows = new SequenceWindowOptions { InputColumnNames = new[] { "A", "B" }, TargetColumnNames = new[] { "A" }, InputLength = 24, Horizon = 4 };
        return (ml, ml.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(ml, rows), windows, new ChronologicalSplit(1800, 2400, 3000)), rows);
    }

    private static Seq2SeqOptions QuantileOptions(SequenceWindowSplit split, bool calibrate, int epochs)
    {
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs: epochs);
        options.HiddenSize = 16;
        options.Quantiles = new() { Levels = s_levels, Calibrate = calibrate };
        options.ValidationSet = split.Validation;
        return options;
    }

    [Fact]
    public void Calibrated_coverage_on_a_heteroscedastic_series_approaches_the_nominal_level_on_held_out_windows()
    {
        var (ml, split, _) = HeteroscedasticSplit();
        using Seq2SeqTransformer calibrated = ml.Regression.Trainers.Seq2Seq(QuantileOptions(split, calibrate: true, epochs: 3)).Fit(split.Train);
        Assert.NotNull(calibrated.QuantileCalibration);

        double Coverage(IDataView windows) => ml.Regression.EvaluateSequenceQuantiles(calibrated.Transform(windows), s_levels).Intervals.Single().Coverage;
        double coverage = Coverage(split.Test), validation = Coverage(split.Validation);
        QuantileCalibration offsets = calibrated.QuantileCalibration!;
        calibrated.QuantileCalibration = null;
        double raw = Coverage(split.Test), rawValidation = Coverage(split.Validation);
        _output.WriteLine($"10–90 % coverage: test {coverage:P2} calibrated, {raw:P2} as trained; validation {validation:P2} calibrated, {rawValidation:P2} as trained");

        // On the calibration windows themselves the rule gives at least the nominal coverage, and at most one window per
        // (step, column) more (n ≈ 570 here); rounding at the boundary may lose that one window.
        Assert.InRange(validation, 0.795, 0.81);
        Assert.True(Math.Abs(coverage - 0.8) <= 0.05, $"test coverage of the calibrated 10–90 % interval {coverage:P1} (as trained {raw:P1}; offsets {string.Join(" ", offsets.Offsets.Select(o => o.ToString("F2")))})");
    }

    [Fact]
    public void The_calibration_saves_and_loads_in_a_fresh_process_and_is_off_when_not_asked_for()
    {
        var (ml, split, rows) = HeteroscedasticSplit();
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        ml.Log += (_, e) => log.Enqueue(e.Message);
        using Seq2SeqTransformer off = ml.Regression.Trainers.Seq2Seq(QuantileOptions(split, calibrate: false, epochs: 1)).Fit(split.Train);
        Assert.Null(off.QuantileCalibration);
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(QuantileOptions(split, calibrate: true, epochs: 1)).Fit(split.Train);
        Assert.NotNull(model.QuantileCalibration);
        int validationWindows = (int)split.Validation.GetRowCount()!.Value;
        Assert.Single(log, m => m.Contains($"quantile intervals calibrated on {validationWindows} validation windows", StringComparison.Ordinal));

        using var folder = new TemporaryFolder();
        ml.Model.Save(model, split.Train.Schema, folder.File("model.zip"));
        Seq2SeqForecastEngine engine = model.CreateForecastEngine(ml, GeneratedSeries.Load(ml, rows), "Time");
        engine.CheckPoint(folder.File("engine.bin"));
        Seq2SeqForecast expected = engine.Predict();
        QuantileCalibration calibration = model.QuantileCalibration!;
        model.QuantileCalibration = null;
        Seq2SeqForecast uncalibrated = engine.Predict();
        model.QuantileCalibration = calibration;
        Assert.NotEqual(uncalibrated.QuantileValues, expected.QuantileValues); // the offsets change the bounds
        Assert.Equal(uncalibrated.Values, expected.Values); // and leave the point forecast

        var child = ChildProcessRunner.Run(TimeSpan.FromMinutes(2), QuantileForecastTests.PrintCommand, folder.File("model.zip"), folder.File("engine.bin"));

        Assert.True(child.ExitCode == 0, "child failed: " + child.StandardError);
        string[] lines = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(expected.Values.Concat(expected.QuantileValues), lines.Skip(1).Select(s => float.Parse(s, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
