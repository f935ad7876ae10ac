using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Tests.ChildProcess;
using MLNetSeq2Seq.Tests.Data;
using MLNetSeq2Seq.Tests.Reliability;
using MLNetSeq2Seq.Training;
using Xunit;

namespace MLNetSeq2Seq.Tests;

/// <summary>The forecasting entry point, the new options through Fit, save and load, the baselines and the validation gap.</summary>
public sealed class ForecastingTests
{
    internal const string ScoreCommand = "score-forecasting-model";
    private static readonly string[] s_inputs = { "A", "B", "C" };
    private static readonly string[] s_targets = { "B", "A" }; // outputs forecast inputs 1 and 0

    /// <summary>Windows of the generated series: L = 30, H = 10 (neither a multiple of 24), three inputs, two targets.</summary>
    internal static SequenceWindowSplit Windows(MLContext ml) =>
        ml.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(ml, GeneratedSeries.Create(420)),
            new SequenceWindowOptions { InputColumnNames = s_inputs, TargetColumnNames = s_targets, InputLength = 30, Horizon = 10, Stride = 2 },
            new ChronologicalSplit(300, 360, 420));

    [Fact]
    public void Forecasting_Seq2Seq_with_only_the_horizon_and_validation_builds_the_forecasting_recipe()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = Windows(ml);

        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(horizon: 10, validationSet: split.Validation).Fit(split.Train);

        // The recipe trains the segment-recurrent network and keeps it only when it beats both baselines on validation.
        var architecture = model.Network.Architecture;
        ModelCandidate kept = Assert.Single(model.TrainingHistory.Candidates, c => c.Kept);
        // Persistence, the linear forecaster over the last 15 steps and over the whole 30-step window, the network.
        Assert.Equal(new[] { "persistence", "linear, last 15 steps", "linear", "network" }, model.TrainingHistory.Candidates.Select(c => c.Name));
        Assert.Equal(model.TrainingHistory.Candidates.Min(c => c.ValidationMetric), kept.ValidationMetric);
        // What fitting each took: the training loop for the network (at least its epochs' time), the shared pass over the
        // training rows for every linear candidate, nothing for persistence.
        var byName = model.TrainingHistory.Candidates.ToDictionary(c => c.Name);
        Assert.Equal(TimeSpan.Zero, byName["persistence"].FitTime);
        Assert.True(byName["linear"].FitTime > TimeSpan.Zero && byName["linear, last 15 steps"].FitTime > TimeSpan.Zero);
        Assert.True(byName["network"].FitTime.TotalSeconds >= model.TrainingHistory.Epochs.Sum(e => e.Seconds) * 0.999,
            $"network fit {byName["network"].FitTime}, epochs {model.TrainingHistory.Epochs.Sum(e => e.Seconds)} s");
        Assert.Equal(kept.Name == "network" ? NetworkFamily.SegmentRecurrent : NetworkFamily.Linear, architecture.Family);
        Assert.Equal(InstanceNormalization.SubtractLast, architecture.Normalization);
        Assert.True(architecture.ChannelIndependent); // the window view says which inputs the targets are
        Assert.Equal(new[] { 1, 0 }, architecture.Targets);
        Assert.All(model.TrainingHistory.Epochs, e => Assert.NotNull(e.ValidationLoss));
        SequenceRegressionMetrics metrics = ml.Regression.EvaluateSequence(model.Transform(split.Test));
        ForecastBaselineMetrics baselines = ml.Forecasting.EvaluateSeq2SeqBaselines(split.Train, split.Test);
        Assert.True(metrics.MeanSquaredError < baselines.Persistence.MeanSquaredError,
            $"model MSE {metrics.MeanSquaredError:G4} vs persistence {baselines.Persistence.MeanSquaredError:G4}");
    }

    [Fact]
    public void With_the_comparison_set_to_warn_the_recipe_keeps_its_segment_recurrent_network()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = Windows(ml);

        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(new Seq2SeqForecastingOptions
        {
            Horizon = 10, ValidationSet = split.Validation, MaxEpochs = 3, BaselineComparison = BaselineComparison.Warn,
        }).Fit(split.Train);

        Assert.Equal(NetworkFamily.SegmentRecurrent, model.Network.Architecture.Family);
        Assert.Equal(24, model.Network.Architecture.SegmentLength);
        ModelCandidate kept = Assert.Single(model.TrainingHistory.Candidates, c => c.Kept);
        Assert.Equal("network", kept.Name);
    }

    [Fact]
    public void Forecasting_options_through_the_options_overload_score_bit_identically_to_the_horizon_overload()
    {
        SequenceWindowSplit split = Windows(new MLContext(seed: 1));
        float[][] Scores(Seq2SeqEstimator estimator, MLContext ml)
        {
            using Seq2SeqTransformer model = estimator.Fit(split.Train);
            return model.Transform(split.Test).GetColumn<float[]>("Score").ToArray();
        }

        var viaHorizon = new MLContext(seed: 7);
        float[][] expected = Scores(viaHorizon.Forecasting.Seq2Seq(horizon: 10, validationSet: split.Validation), viaHorizon);
        var viaOptions = new MLContext(seed: 7);
        float[][] actual = Scores(viaOptions.Forecasting.Seq2Seq(new Seq2SeqForecastingOptions { Horizon = 10, ValidationSet = split.Validation }), viaOptions);

        Assert.Equal(expected.Length, actual.Length);
        for (int row = 0; row < expected.Length; row++)
            Assert.Equal(expected[row], actual[row]); // exact float equality, row by row
        // And the general options do train another network (the trap this type closes): the scores differ.
        var general = new MLContext(seed: 7);
        float[][] generalScores = Scores(general.Regression.Trainers.Seq2Seq(new Seq2SeqOptions { Horizon = 10, ValidationSet = split.Validation, MaxEpochs = 3 }), general);
        Assert.NotEqual(expected[0], generalScores[0]);
    }

    [Fact]
    public void The_forecasting_entry_takes_only_forecasting_options_and_their_new_instance_is_the_recipe()
    {
        // Passing the general options to ml.Forecasting.Seq2Seq must not compile: no overload takes Seq2SeqOptions itself.
        var overloads = typeof(ForecastingSeq2SeqCatalog).GetMethods().Where(m => m.Name == nameof(ForecastingSeq2SeqCatalog.Seq2Seq)).ToList();
        Assert.NotEmpty(overloads);
        Assert.DoesNotContain(overloads, m => m.GetParameters().Any(p => p.ParameterType == typeof(Seq2SeqOptions)));

        var recipe = new Seq2SeqForecastingOptions();
        var general = new Seq2SeqOptions();
        Assert.Equal(NetworkFamily.SegmentRecurrent, recipe.Family);
        Assert.Equal(InstanceNormalization.SubtractLast, recipe.InstanceNormalization);
        Assert.Equal(LossFunction.MeanAbsoluteError, recipe.Loss);
        Assert.NotEqual(general.Family, recipe.Family);
        recipe.Validate(); // the recipe is valid as it stands
    }

    public static TheoryData<string> NewOptionSets() => new() { "segment-lstm-ci", "autoregressive-revin-affine-ci-huber", "segment-mixing-standardize", "autoregressive-subtract-last", "linear-ci-quantiles" };

    internal static Seq2SeqOptions OptionSet(string name)
    {
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 2);
        switch (name)
        {
            case "segment-lstm-ci":
                options.Family = NetworkFamily.SegmentRecurrent; options.FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 8 }; options.Cell = RecurrentCellType.Lstm;
                options.InstanceNormalization = InstanceNormalization.SubtractLast; options.ChannelIndependent = null; options.Dropout = 0.3;
                break;
            case "autoregressive-revin-affine-ci-huber":
                options.InstanceNormalization = InstanceNormalization.Standardize; options.InstanceNormalizationAffine = true;
                options.ChannelIndependent = true; options.Loss = LossFunction.Huber; options.HuberDelta = 0.5;
                options.EarlyStopping.Metric = LossFunction.MeanAbsoluteError;
                break;
            case "segment-mixing-standardize":
                options.Family = NetworkFamily.SegmentRecurrent; options.FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 7 }; options.LayerCount = 2;
                options.InstanceNormalization = InstanceNormalization.Standardize; options.ChannelIndependent = false;
                options.TargetInputIndices = new[] { 1, 0 };
                break;
            case "linear-ci-quantiles":
                options.Family = NetworkFamily.Linear; options.InstanceNormalization = InstanceNormalization.SubtractLast;
                options.ChannelIndependent = true; options.Quantiles = new() { Levels = new[] { 0.1, 0.5, 0.9 } };
                break;
            case "autoregressive-subtract-last":
                options.InstanceNormalization = InstanceNormalization.SubtractLast; options.Loss = LossFunction.MeanAbsoluteError;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
        return options;
    }

    [Theory]
    [MemberData(nameof(NewOptionSets))]
    public void Every_new_option_survives_save_and_load_in_a_fresh_process(string optionSet)
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = Windows(ml);
        Seq2SeqOptions options = OptionSet(optionSet);
        options.ValidationSet = split.Validation;
        using var folder = new TemporaryFolder();
        string path = folder.File("forecaster.zip");
        string expectedArchitecture;
        float[] expected;
        using (Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(split.Train))
        {
            expectedArchitecture = model.Network.Architecture.ToString();
            expected = model.Transform(split.Test).GetColumn<float[]>("Score").SelectMany(v => v).ToArray();
            ml.Model.Save(model, split.Train.Schema, path);
        }

        var child = ChildProcessRunner.Run(TimeSpan.FromMinutes(2), ScoreCommand, path);
        Assert.True(child.ExitCode == 0, "child failed: " + child.StandardError);
        string[] lines = child.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(expectedArchitecture, lines[0]);
        float[] actual = lines.Skip(1).Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected, actual);
    }

    /// <summary>Child side: loads the model with a plain MLContext, prints its architecture and the test windows' scores.</summary>
    internal static int ScoreInChild(string[] args)
    {
        var ml = new MLContext();
        var model = (Seq2SeqTransformer)ml.Model.Load(args[0], out _);
        Console.WriteLine(model.Network.Architecture.ToString());
        foreach (float value in model.Transform(Windows(new MLContext(seed: 1)).Test).GetColumn<float[]>("Score").SelectMany(v => v))
            Console.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
        model.Dispose();
        return 0;
    }

    [Fact]
    public void A_forecaster_works_in_a_prediction_engine_and_a_pipeline()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = Windows(ml);
        Seq2SeqOptions options = OptionSet("segment-lstm-ci");
        var pipeline = ml.Transforms.CopyColumns("Input", "Features").Append(ml.Regression.Trainers.Seq2Seq(options));
        var model = pipeline.Fit(split.Train);
        float[] first = model.Transform(split.Test).GetColumn<float[]>("Score").First();
        float[] features = split.Test.GetColumn<float[]>("Features").First();

        using var engine = ml.Model.CreatePredictionEngine<WindowInput, WindowScore>(model, new PredictionEngineOptions { OwnsTransformer = false });
        float[] single = engine.Predict(new WindowInput { Features = features }).Score;

        Assert.Equal(first, single);
        model.LastTransformer.Dispose();
    }

    [Fact]
    public void Instance_normalisation_without_a_known_target_mapping_is_an_error_that_names_the_option()
    {
        var ml = new MLContext(seed: 1);
        // Targets C and D, but D is not an input: the window view cannot say which input D's forecast is.
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(ml, GeneratedSeries.Create(200)),
            new SequenceWindowOptions { InputColumnNames = s_inputs, TargetColumnNames = new[] { "C", "D" }, InputLength = 12, Horizon = 4 },
            new ChronologicalSplit(150, 175, 200));
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);
        options.InstanceNormalization = InstanceNormalization.SubtractLast;

        var error = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(options).Fit(split.Train));
        Assert.Equal(nameof(Seq2SeqOptions.TargetInputIndices), error.ParamName);
        Assert.Contains("which input feature each of the 2 output features forecasts", error.Message);

        options.TargetInputIndices = new[] { 2, 1 }; // say it: C forecasts C, D is forecast from B's level
        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(split.Train);
        Assert.Equal(new[] { 2, 1 }, model.Network.Architecture.Targets);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // through a pipeline transform: the window view is wrapped, its label annotations pass through
    public void Validation_held_out_from_windows_leaves_a_gap_so_no_validation_label_lies_in_a_training_window(bool throughPipeline)
    {
        var ml = new MLContext(seed: 1);
        List<string> log = ReliabilityKit.CaptureLog(ml);
        const int L = 10, H = 7, Stride = 2;
        IDataView windows = ml.Data.CreateSequenceWindows(GeneratedSeries.Load(ml, GeneratedSeries.Create(400)),
            new SequenceWindowOptions { InputColumnNames = s_inputs, InputLength = L, Horizon = H, Stride = Stride });
        if (throughPipeline)
            windows = ml.Transforms.CopyColumns("Original", "Features").Fit(windows).Transform(windows);
        int count = (int)windows.GetRowCount()!.Value;
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);
        options.ValidationFraction = 0.2;
        var estimator = ml.Regression.Trainers.Seq2Seq(options);
        var seen = new RowRecorder();
        estimator.Observer = seen;

        using Seq2SeqTransformer model = estimator.Fit(windows);

        int validationCount = (int)Math.Round(count * 0.2), firstValidation = count - validationCount;
        long lastTrainingWindowEnd = seen.MaxRow * Stride + L + H;          // rows [start, start + L + H)
        long firstValidationLabelRow = (long)firstValidation * Stride + L;
        Assert.True(lastTrainingWindowEnd <= firstValidationLabelRow,
            $"training window {seen.MaxRow} reaches row {lastTrainingWindowEnd - 1}, past the first validation label row {firstValidationLabelRow}");
        Assert.True((seen.MaxRow + 1) * Stride + L + H > firstValidationLabelRow, "the next window would have been safe: the gap is larger than needed");
        Assert.DoesNotContain(log, m => m.Contains("ValidationGapRows", StringComparison.Ordinal)); // no "set it yourself" warning
    }

    [Fact]
    public void Validation_held_out_from_plain_rows_warns_and_honours_an_explicit_gap()
    {
        var ml = new MLContext(seed: 1);
        List<string> log = ReliabilityKit.CaptureLog(ml);
        IDataView data = ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(100, seed: 2));
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);
        options.ValidationFraction = 0.2;
        var estimator = ml.Regression.Trainers.Seq2Seq(options);
        var seen = new RowRecorder();
        estimator.Observer = seen;
        estimator.Fit(data).Dispose();
        Assert.Contains(log, m => m.Contains("ValidationGapRows", StringComparison.Ordinal));
        Assert.Equal(79, seen.MaxRow);

        options.ValidationGapRows = 5;
        estimator = ml.Regression.Trainers.Seq2Seq(options);
        seen = new RowRecorder();
        estimator.Observer = seen;
        estimator.Fit(data).Dispose();
        Assert.Equal(74, seen.MaxRow);
    }

    [Fact]
    public void Baselines_score_persistence_exactly_and_solve_a_linear_series_almost_exactly()
    {
        var ml = new MLContext(seed: 1);
        // Two sinusoids: every future value is a fixed linear combination of the last two, so the closed-form
        // linear forecaster is (almost) exact, while repeating the last value is not.
        var rows = Enumerable.Range(0, 600).Select(i => new SeriesRow
        {
            Time = GeneratedSeries.Timestamp(i),
            A = (float)Math.Sin(2 * Math.PI * i / 24),
            B = (float)(3 * Math.Cos(2 * Math.PI * i / 17)),
            C = 0,
        }).ToArray();
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(GeneratedSeries.Load(ml, rows),
            new SequenceWindowOptions { InputColumnNames = new[] { "A", "B" }, InputLength = 48, Horizon = 12 }, new ChronologicalSplit(400, 500, 600));

        ForecastBaselineMetrics baselines = ml.Forecasting.EvaluateSeq2SeqBaselines(split.Train, split.Test, ridgePenalty: 1e-9);

        double persistence = 0;
        long values = 0;
        foreach (var (features, label) in split.Test.GetColumn<float[]>("Features").Zip(split.Test.GetColumn<float[]>("Label")))
            for (int i = 0; i < label.Length; i++, values++)
                persistence += Math.Pow(label[i] - features[features.Length - 2 + i % 2], 2);
        Assert.Equal(persistence / values, baselines.Persistence.MeanSquaredError, 6);
        Assert.True(baselines.Linear.MeanSquaredError < 1e-4 * baselines.Persistence.MeanSquaredError,
            $"linear {baselines.Linear.MeanSquaredError:G3} vs persistence {baselines.Persistence.MeanSquaredError:G3}");
    }

    [Theory]
    [InlineData(LossFunction.MeanSquaredError)]
    [InlineData(LossFunction.MeanAbsoluteError)]
    [InlineData(LossFunction.Huber)]
    public void The_kept_epochs_validation_loss_is_the_chosen_metric_of_the_returned_model(LossFunction metric)
    {
        var ml = new MLContext(seed: 1);
        List<string> log = ReliabilityKit.CaptureLog(ml);
        SequenceWindowSplit split = Windows(ml);
        Seq2SeqOptions options = OptionSet("autoregressive-subtract-last");
        options.Loss = LossFunction.Huber;
        options.HuberDelta = 0.3;
        options.EarlyStopping.Metric = metric;
        options.MaxEpochs = 3;
        options.ValidationSet = split.Validation;

        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(split.Train);

        double kept = model.TrainingHistory.Epochs.Single(e => e.Epoch == model.TrainingHistory.BestEpoch).ValidationLoss!.Value;
        var (labels, scores) = (split.Validation.GetColumn<float[]>("Label").SelectMany(v => v).ToArray(),
            model.Transform(split.Validation).GetColumn<float[]>("Score").SelectMany(v => v).ToArray());
        double expected = labels.Zip(scores, (y, p) => Math.Abs((double)p - y)).Select(e => metric switch
        {
            LossFunction.MeanSquaredError => e * e,
            LossFunction.MeanAbsoluteError => e,
            _ => e <= 0.3 ? 0.5 * e * e : 0.3 * (e - 0.15),
        }).Average();
        Assert.Equal(expected, kept, 5);
        Assert.Contains(log, m => m.Contains("training loss Huber(δ=0.3)", StringComparison.Ordinal)
            && m.Contains($"validation (early stopping) {new PointLoss(metric, 0.3).Name}", StringComparison.Ordinal));
    }

    [Fact]
    public void The_segment_family_refuses_variable_length_rows_before_training_naming_the_row()
    {
        var ml = new MLContext(seed: 1);
        List<string> log = ReliabilityKit.CaptureLog(ml);
        var options = new Seq2SeqOptions
        {
            Family = NetworkFamily.SegmentRecurrent, FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 4 }, InputFeatureCount = VariableLengthTests.FeatureCount,
            Horizon = VariableLengthTests.Horizon, HiddenSize = 8, MaxEpochs = 1,
        };

        var error = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(VariableLengthTests.Generate(40, seed: 1))));

        Assert.Equal(nameof(Seq2SeqOptions.Family), error.ParamName);
        Assert.Matches(@"Training data: Family = SegmentRecurrent needs full-length input windows, but row \d+ has \d+ input steps", error.Message);
        Assert.DoesNotContain(log, m => m.Contains("Seq2Seq: epoch", StringComparison.Ordinal)); // nothing was trained
    }

    [Fact]
    public void Segment_options_that_do_not_apply_are_refused_by_name()
    {
        var options = new Seq2SeqForecastingOptions();
        options.FamilyOptions = new AutoregressiveOptions { Attention = AttentionKind.Dot };
        Assert.Equal(nameof(Seq2SeqOptions.FamilyOptions), Assert.Throws<ArgumentException>(options.Validate).ParamName);
        options = new Seq2SeqForecastingOptions { FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 0 } };
        Assert.Equal("FamilyOptions.SegmentLength", Assert.Throws<ArgumentOutOfRangeException>(options.Validate).ParamName);
        options = new Seq2SeqForecastingOptions();
        options.HuberDelta = 0;
        Assert.Equal(nameof(Seq2SeqOptions.HuberDelta), Assert.Throws<ArgumentOutOfRangeException>(options.Validate).ParamName);
        options = new Seq2SeqForecastingOptions();
        options.TargetInputIndices = new[] { 0, -1 };
        Assert.Equal(nameof(Seq2SeqOptions.TargetInputIndices), Assert.Throws<ArgumentOutOfRangeException>(options.Validate).ParamName);
    }

    private sealed class RowRecorder : ITrainingObserver
    {
        public long MaxRow { get; private set; } = -1;

        public void OnMicroBatch(int epoch, ReadOnlySpan<long> rows)
        {
            foreach (long row in rows)
                MaxRow = Math.Max(MaxRow, row);
        }

        public void OnEpochEnd(int epoch, MLNetSeq2Seq.Networks.SequenceNetwork network) { }
    }

    public sealed class WindowInput
    {
        [VectorType(30, 3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public sealed class WindowScore
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
