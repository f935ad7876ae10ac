using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Xunit;

namespace MLNetSeq2Seq.Tests;

/// <summary>
/// The option groups of <see cref="Seq2SeqOptions"/> (Schedule, EarlyStopping, Quantiles, Streaming, Checkpoints): each
/// validates itself naming the option by its path, the trainer's copy of the options shares no group with the caller's,
/// and the forecasting recipe changes only the settings it documents.
/// </summary>
public sealed class Seq2SeqOptionsTests
{
    public static TheoryData<string, Action> BadGroupSettings() => new()
    {
        { "Schedule.Kind", () => new LearningRateScheduleOptions { Kind = (LearningRateSchedule)9 }.Validate() },
        { "Schedule.OneCyclePctStart", () => new LearningRateScheduleOptions { OneCyclePctStart = 0 }.Validate() },
        { "Schedule.OneCycleDivFactor", () => new LearningRateScheduleOptions { OneCycleDivFactor = double.NaN }.Validate() },
        { "Schedule.OneCycleFinalDivFactor", () => new LearningRateScheduleOptions { OneCycleFinalDivFactor = 0.5 }.Validate() },
        { "Schedule.WarmupFraction", () => new LearningRateScheduleOptions { WarmupFraction = -0.1 }.Validate() },
        { "Schedule.PlateauPatience", () => new LearningRateScheduleOptions { PlateauPatience = 0 }.Validate() },
        { "Schedule.PlateauFactor", () => new LearningRateScheduleOptions { PlateauFactor = 1 }.Validate() },
        { "EarlyStopping.Patience", () => new EarlyStoppingOptions { Patience = -3 }.Validate() },
        { "EarlyStopping.MinDelta", () => new EarlyStoppingOptions { MinDelta = double.PositiveInfinity }.Validate() },
        { "EarlyStopping.Metric", () => new EarlyStoppingOptions { Metric = (LossFunction)9 }.Validate() },
        { "Quantiles.Levels", () => new QuantileOptions { Levels = new[] { 0.5, 0.4 } }.Validate() },
        { "Quantiles.PointLossWeight", () => new QuantileOptions { PointLossWeight = double.NaN }.Validate() },
        { "Streaming.ShufflePoolRows", () => new StreamingOptions { ShufflePoolRows = 0 }.Validate() },
        { "Checkpoints.EveryEpochs", () => new CheckpointOptions { EveryEpochs = 0 }.Validate() },
    };

    [Theory]
    [MemberData(nameof(BadGroupSettings))]
    public void Each_group_validates_itself_naming_the_option_by_its_path(string path, Action validate)
    {
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(validate);

        Assert.Equal(path, error.ParamName);
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_group_is_valid_and_every_options_object_has_groups_of_its_own()
    {
        new LearningRateScheduleOptions().Validate();
        new EarlyStoppingOptions().Validate();
        new QuantileOptions().Validate();
        new StreamingOptions().Validate();
        new CheckpointOptions().Validate();

        var first = new Seq2SeqOptions();
        var second = new Seq2SeqOptions();
        Assert.NotSame(first.Schedule, second.Schedule);
        Assert.NotSame(first.EarlyStopping, second.EarlyStopping);
        Assert.Null(first.Quantiles);   // point forecasts
        Assert.Null(first.Streaming);   // in memory
        Assert.Null(first.Checkpoints); // none
        Assert.NotSame(new QuantileOptions().Levels, new QuantileOptions().Levels);
    }

    [Fact]
    public void Clone_copies_every_group_with_the_same_settings()
    {
        Seq2SeqOptions options = WithEveryGroup("checkpoints");
        Seq2SeqOptions copy = options.Clone();

        Assert.NotSame(options.Schedule, copy.Schedule);
        Assert.NotSame(options.EarlyStopping, copy.EarlyStopping);
        Assert.NotSame(options.Quantiles, copy.Quantiles);
        Assert.NotSame(options.Quantiles!.Levels, copy.Quantiles!.Levels);
        Assert.NotSame(options.Streaming, copy.Streaming);
        Assert.NotSame(options.Checkpoints, copy.Checkpoints);
        Assert.Equal(Settings(options), Settings(copy));
    }

    [Fact]
    public void The_callers_groups_changed_after_the_estimator_was_made_reach_neither_its_Fit_nor_are_changed_by_it()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(80, seed: 31));
        using var given = new TemporaryFolder();
        using var changedLater = new TemporaryFolder();
        Seq2SeqOptions caller = WithEveryGroup(given.Path);
        caller.Streaming = null;       // in memory, so that Fit resolves the learning rate with the range test
        caller.LearningRate = null;
        var estimator = ml.Regression.Trainers.Seq2Seq(caller);

        // After the estimator exists, the caller reuses its options object for something else.
        caller.Checkpoints!.Directory = changedLater.Path;
        caller.Quantiles!.Levels = new[] { 0.25, 0.5, 0.75 };
        caller.Schedule.Kind = LearningRateSchedule.Constant;
        caller.EarlyStopping.Patience = 7;
        var before = Settings(caller);
        using Seq2SeqTransformer model = estimator.Fit(data);

        // Fit trained with the groups as they were given: its checkpoint went to the first folder, its levels are the first ones.
        Assert.True(File.Exists(Path.Combine(given.Path, "seq2seq-checkpoint.bin")));
        Assert.Empty(Directory.GetFiles(changedLater.Path));
        Assert.Equal(new[] { 0.1, 0.5, 0.9 }, model.Network.Architecture.Quantiles);
        // And resolving the options (the learning rate from the range test, shapes, targets) wrote nothing back.
        Assert.Equal(before, Settings(caller));
        Assert.Null(caller.LearningRate);
    }

    [Fact]
    public void The_learning_rate_finder_reads_in_memory_without_clearing_the_callers_streaming_group()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(40, seed: 31));
        Seq2SeqOptions caller = SyntheticSequences.SmallOptions(1);
        var streaming = new StreamingOptions { ShufflePoolRows = 10 };
        caller.Streaming = streaming;

        ml.Regression.Trainers.FindSeq2SeqLearningRate(data, caller, new LearningRateRangeTestOptions { StepCount = 10 });

        Assert.Same(streaming, caller.Streaming);
        Assert.Equal(10, caller.Streaming!.ShufflePoolRows);
    }

    [Fact]
    public void The_forecasting_recipe_changes_only_the_group_settings_it_documents()
    {
        var general = new Seq2SeqOptions();
        var recipe = new Seq2SeqForecastingOptions();
        Dictionary<string, string> generalSettings = Settings(general), recipeSettings = Settings(recipe);

        string[] changed = recipeSettings.Keys.Where(k => generalSettings[k] != recipeSettings[k]).OrderBy(k => k, StringComparer.Ordinal).ToArray();

        // Everything else in the groups (one-cycle and warm-up settings, PlateauFactor, MinDelta, Metric) is the general default.
        Assert.Equal(new[] { "EarlyStopping.Patience", "Schedule.Kind", "Schedule.PlateauPatience" }, changed);
        Assert.Equal(LearningRateSchedule.ReduceOnPlateau, recipe.Schedule.Kind);
        Assert.NotEqual(general.Schedule.Kind, recipe.Schedule.Kind);
        Assert.Equal(2, recipe.Schedule.PlateauPatience);   // the class's documentation: halve after 2 epochs without improvement
        Assert.True(recipe.Schedule.PlateauPatience < general.Schedule.PlateauPatience);
        Assert.Equal(4, recipe.EarlyStopping.Patience);     // and stop after 4
        Assert.True(recipe.EarlyStopping.Patience < general.EarlyStopping.Patience);
        Assert.Equal(general.Schedule.PlateauFactor, recipe.Schedule.PlateauFactor);
        Assert.Equal(general.EarlyStopping.Metric, recipe.EarlyStopping.Metric);
        Assert.Null(recipe.Quantiles);
        Assert.Null(recipe.Streaming);
        Assert.Null(recipe.Checkpoints);
        Assert.NotSame(recipe.Schedule, new Seq2SeqForecastingOptions().Schedule); // no recipe instance shares its groups
        recipe.Validate();
    }

    [Fact]
    public void A_nested_initializer_changes_one_setting_of_the_recipe_and_keeps_the_others()
    {
        var recipe = new Seq2SeqForecastingOptions { Schedule = { PlateauFactor = 0.25 }, EarlyStopping = { MinDelta = 1e-4 } };

        Assert.Equal(LearningRateSchedule.ReduceOnPlateau, recipe.Schedule.Kind);
        Assert.Equal(new Seq2SeqForecastingOptions().Schedule.PlateauPatience, recipe.Schedule.PlateauPatience);
        Assert.Equal(0.25, recipe.Schedule.PlateauFactor);
        Assert.Equal(new Seq2SeqForecastingOptions().EarlyStopping.Patience, recipe.EarlyStopping.Patience);
        Assert.Equal(1e-4, recipe.EarlyStopping.MinDelta);
    }

    /// <summary>Small options with every group set to something other than its default.</summary>
    private static Seq2SeqOptions WithEveryGroup(string checkpointDirectory)
    {
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(2);
        options.ValidationFraction = 0.25;
        options.Schedule = new() { Kind = LearningRateSchedule.ReduceOnPlateau, PlateauPatience = 1, PlateauFactor = 0.3 };
        options.EarlyStopping = new() { Patience = 3, MinDelta = 1e-6, Metric = LossFunction.MeanAbsoluteError };
        options.Quantiles = new() { Levels = new[] { 0.1, 0.5, 0.9 }, PointLossWeight = 0.5, Calibrate = false };
        options.Streaming = new() { ShufflePoolRows = 17 };
        options.Checkpoints = new() { Directory = checkpointDirectory, EveryEpochs = 2 };
        return options;
    }

    /// <summary>Every setting of every group, "Group.Setting" → value as text (arrays by their elements; a null group as "null").</summary>
    private static Dictionary<string, string> Settings(Seq2SeqOptions options)
    {
        var settings = new Dictionary<string, string>();
        foreach (var (name, type, group) in new (string, Type, object?)[]
        {
            (nameof(options.Schedule), typeof(LearningRateScheduleOptions), options.Schedule),
            (nameof(options.EarlyStopping), typeof(EarlyStoppingOptions), options.EarlyStopping),
            (nameof(options.Quantiles), typeof(QuantileOptions), options.Quantiles),
            (nameof(options.Streaming), typeof(StreamingOptions), options.Streaming),
            (nameof(options.Checkpoints), typeof(CheckpointOptions), options.Checkpoints),
        })
        {
            foreach (var property in type.GetProperties())
            {
                object? value = group is null ? "null group" : property.GetValue(group);
                settings[name + "." + property.Name] = value is double[] array ? string.Join(",", array) : value?.ToString() ?? "null";
            }
        }
        return settings;
    }
}
