using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>
/// Every option out of range stops Fit before any data is read — in every build configuration, not by a Debug
/// assert — with an ArgumentException (usually ArgumentOutOfRangeException) whose ParamName is the option, by its path
/// inside the option groups ("Schedule.PlateauPatience").
/// </summary>
public sealed class OptionValidationTests
{
    public static TheoryData<string, string, Action<Seq2SeqOptions>> BadOptions() => new()
    {
        { "BatchSize", "0", o => o.BatchSize = 0 },
        { "BatchSize", "-5", o => o.BatchSize = -5 },
        { "MicroBatchSize", "0", o => o.MicroBatchSize = 0 },
        { "MicroBatchSize", "> BatchSize", o => { o.BatchSize = 8; o.MicroBatchSize = 9; } },
        { "MaxMicroBatchSize", "0", o => o.MaxMicroBatchSize = 0 },
        { "LearningRate", "0", o => o.LearningRate = 0 },
        { "LearningRate", "-1e-3", o => o.LearningRate = -1e-3 },
        { "LearningRate", "NaN", o => o.LearningRate = double.NaN },
        { "LearningRate", "+Inf", o => o.LearningRate = double.PositiveInfinity },
        { "Horizon", "0", o => o.Horizon = 0 },
        { "Horizon", "-1", o => o.Horizon = -1 },
        { "InputFeatureCount", "0", o => o.InputFeatureCount = 0 },
        { "OutputFeatureCount", "-2", o => o.OutputFeatureCount = -2 },
        { "HiddenSize", "0", o => o.HiddenSize = 0 },
        { "LayerCount", "0", o => o.LayerCount = 0 },
        { "Dropout", "-0.1", o => o.Dropout = -0.1 },
        { "Dropout", "1", o => o.Dropout = 1 },
        { "Dropout", "NaN", o => o.Dropout = double.NaN },
        { "TeacherForcingRatio", "1.5", o => o.TeacherForcingRatio = 1.5 },
        { "TeacherForcingRatioEnd", "-0.1", o => o.TeacherForcingRatioEnd = -0.1 },
        { "WeightDecay", "-1", o => o.WeightDecay = -1 },
        { "WeightDecay", "NaN", o => o.WeightDecay = double.NaN },
        { "GradientClipNorm", "0", o => o.GradientClipNorm = 0 },
        { "GradientClipNorm", "-Inf", o => o.GradientClipNorm = double.NegativeInfinity },
        { "MaxEpochs", "0", o => o.MaxEpochs = 0 },
        { "Schedule.OneCyclePctStart", "0", o => o.Schedule.OneCyclePctStart = 0 },
        { "Schedule.OneCyclePctStart", "1", o => o.Schedule.OneCyclePctStart = 1 },
        { "Schedule.OneCycleDivFactor", "0.5", o => o.Schedule.OneCycleDivFactor = 0.5 },
        { "Schedule.OneCycleFinalDivFactor", "+Inf", o => o.Schedule.OneCycleFinalDivFactor = double.PositiveInfinity },
        { "Schedule.WarmupFraction", "1", o => o.Schedule.WarmupFraction = 1 },
        { "Schedule.PlateauPatience", "0", o => o.Schedule.PlateauPatience = 0 },
        { "Schedule.PlateauFactor", "0", o => o.Schedule.PlateauFactor = 0 },
        { "Schedule.PlateauFactor", "1", o => o.Schedule.PlateauFactor = 1 },
        { "ValidationFraction", "1", o => o.ValidationFraction = 1 },
        { "ValidationFraction", "-0.1", o => o.ValidationFraction = -0.1 },
        { "EarlyStopping.Patience", "0", o => o.EarlyStopping.Patience = 0 },
        { "EarlyStopping.MinDelta", "-1", o => o.EarlyStopping.MinDelta = -1 },
        { "EarlyStopping.MinDelta", "NaN", o => o.EarlyStopping.MinDelta = double.NaN },
        { "EarlyStopping.Metric", "undefined", o => o.EarlyStopping.Metric = (LossFunction)7 },
        { "EarlyStopping", "null", o => o.EarlyStopping = null! },
        { "Checkpoints.EveryEpochs", "0", o => o.Checkpoints = new() { EveryEpochs = 0 } },
        { "Streaming.ShufflePoolRows", "0", o => o.Streaming = new() { ShufflePoolRows = 0 } },
        { "LearningRate", "null (range test) with Streaming", o => { o.Streaming = new(); o.LearningRate = null; } },
        { "Streaming", "with FutureFeatureColumnName", o => { o.Streaming = new(); o.FutureFeatureColumnName = "FutureFeatures"; } },
        { "Quantiles.Levels", "empty", o => o.Quantiles = new() { Levels = System.Array.Empty<double>() } },
        { "Quantiles.PointLossWeight", "-1", o => o.Quantiles = new() { PointLossWeight = -1 } },
        { "InferenceBatchSize", "0", o => o.InferenceBatchSize = 0 },
        { "InferenceBatchSize", "2^21", o => o.InferenceBatchSize = 1 << 21 },
        { "ReferenceBatchSize", "0", o => o.ReferenceBatchSize = 0 },
        { "ReferenceBatchSize", "missing for Linear scaling", o => o.LearningRateScaling = LearningRateScaling.Linear },
        { "Cell", "undefined", o => o.Cell = (RecurrentCellType)7 },
        { "FamilyOptions.Attention", "undefined", o => o.FamilyOptions = new AutoregressiveOptions { Attention = (AttentionKind)7 } },
        { "Schedule.Kind", "undefined", o => o.Schedule.Kind = (LearningRateSchedule)7 },
        { "Schedule", "null", o => o.Schedule = null! },
        { "Device", "undefined", o => o.Device = (ComputeDevice)7 },
        { "LearningRateScaling", "undefined", o => o.LearningRateScaling = (LearningRateScaling)7 },
        { "NonFiniteRows", "undefined", o => o.NonFiniteRows = (NonFiniteRowHandling)7 },
        { "FeatureColumnName", "empty", o => o.FeatureColumnName = "" },
        { "LabelColumnName", "blank", o => o.LabelColumnName = "  " },
        { "ScoreColumnName", "null", o => o.ScoreColumnName = null! },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void An_option_out_of_range_stops_Fit_before_reading_data_naming_the_option(string option, string value, Action<Seq2SeqOptions> makeBad)
    {
        var ml = new MLContext(seed: 1);
        Seq2SeqOptions options = ReliabilityKit.TinyOptions();
        makeBad(options);

        var error = Assert.ThrowsAny<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(options).Fit(new UnreadableData(ml)));

        Assert.True(option == error.ParamName, $"{option} = {value}: ParamName is {error.ParamName}: {error.Message}");
        Assert.Contains(option, error.Message);
    }

    public static TheoryData<string, Action<LearningRateRangeTestOptions>> BadSweeps() => new()
    {
        { "StartLearningRate", o => o.StartLearningRate = 0 },
        { "EndLearningRate", o => o.EndLearningRate = o.StartLearningRate },
        { "StepCount", o => o.StepCount = 4 },
        { "DivergenceFactor", o => o.DivergenceFactor = 1 },
        { "Smoothing", o => o.Smoothing = 1 },
    };

    [Theory]
    [MemberData(nameof(BadSweeps))]
    public void A_range_test_setting_out_of_range_is_refused_naming_it(string setting, Action<LearningRateRangeTestOptions> makeBad)
    {
        var ml = new MLContext(seed: 1);
        var sweep = new LearningRateRangeTestOptions();
        makeBad(sweep);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.FindSeq2SeqLearningRate(
            ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(16, seed: 1)), ReliabilityKit.TinyOptions(), sweep));

        Assert.Equal(setting, error.ParamName);
    }

    /// <summary>The synthetic schema; any attempt to read a row fails the test.</summary>
    private sealed class UnreadableData(MLContext ml) : IDataView
    {
        public DataViewSchema Schema { get; } = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(1, seed: 1)).Schema;

        public bool CanShuffle => false;

        public long? GetRowCount() => throw new InvalidOperationException("the data was read before the options were checked");

        public DataViewRowCursor GetRowCursor(System.Collections.Generic.IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            throw new InvalidOperationException("the data was read before the options were checked");

        public DataViewRowCursor[] GetRowCursorSet(System.Collections.Generic.IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            throw new InvalidOperationException("the data was read before the options were checked");
    }
}
