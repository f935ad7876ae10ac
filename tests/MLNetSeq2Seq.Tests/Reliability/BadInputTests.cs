using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>Bad data gives an exception whose message names the column, the row or the option, and the fix.</summary>
public sealed class BadInputTests
{
    private readonly MLContext _ml = new(seed: 1);

    private Exception FitFails(IDataView data, Action<Seq2SeqOptions>? configure = null)
    {
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);
        configure?.Invoke(options);
        return Assert.ThrowsAny<Exception>(() => _ml.Regression.Trainers.Seq2Seq(options).Fit(data));
    }

    private IDataView Synthetic(int count = 40, int seed = 1) => _ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(count, seed));

    [Fact]
    public void A_missing_feature_column_lists_the_columns_there_are_and_the_option_to_set()
    {
        var error = Assert.IsType<ArgumentOutOfRangeException>(FitFails(Synthetic(), o => o.FeatureColumnName = "Sensors"));

        Assert.StartsWith("Could not find feature column 'Sensors'. The columns are: 'Features', 'Label'. Set FeatureColumnName to the column that holds the sequences.", error.Message);
    }

    [Fact]
    public void A_missing_label_column_is_named_the_same_way()
    {
        var error = Assert.IsType<ArgumentOutOfRangeException>(FitFails(Synthetic(), o => o.LabelColumnName = "Target"));

        Assert.StartsWith("Could not find label column 'Target'. The columns are: 'Features', 'Label'. Set LabelColumnName", error.Message);
    }

    [Fact]
    public void A_double_vector_says_to_convert_it_and_how()
    {
        IDataView doubles = _ml.Transforms.Conversion.ConvertType("Features", outputKind: DataKind.Double).Fit(Synthetic()).Transform(Synthetic());

        var error = Assert.IsType<ArgumentOutOfRangeException>(FitFails(doubles));

        Assert.Contains("Schema mismatch for feature column 'Features': expected Vector<Single>, got Vector<Double, 12, 2>.", error.Message);
        Assert.Contains("Convert it first: mlContext.Transforms.Conversion.ConvertType(\"Features\", outputKind: DataKind.Single).", error.Message);
    }

    [Fact]
    public void In_a_pipeline_the_schema_check_before_fitting_gives_the_same_hints()
    {
        IDataView doubles = _ml.Transforms.Conversion.ConvertType("Features", outputKind: DataKind.Double).Fit(Synthetic()).Transform(Synthetic());
        var pipeline = _ml.Transforms.CopyColumns("Copy", "Label").Append(_ml.Regression.Trainers.Seq2Seq(ReliabilityKit.TinyOptions(maxEpochs: 1)));

        var wrongType = Assert.IsType<ArgumentOutOfRangeException>(Assert.ThrowsAny<Exception>(() => pipeline.Fit(doubles)));
        var missing = Assert.IsType<ArgumentOutOfRangeException>(Assert.ThrowsAny<Exception>(() =>
            _ml.Transforms.DropColumns("Label").Append(_ml.Regression.Trainers.Seq2Seq(ReliabilityKit.TinyOptions(maxEpochs: 1))).Fit(Synthetic())));

        Assert.Contains("Convert it first: mlContext.Transforms.Conversion.ConvertType(\"Features\", outputKind: DataKind.Single).", wrongType.Message);
        Assert.Contains("Could not find label column 'Label'. The columns are: 'Features'. Set LabelColumnName", missing.Message);
    }

    [Fact]
    public void A_scalar_column_says_a_sequence_is_one_vector_column()
    {
        var rows = new[] { new ScalarRow { Features = 1, Label = new float[8] } };

        var error = Assert.IsType<ArgumentOutOfRangeException>(FitFails(_ml.Data.LoadFromEnumerable(rows), o => o.InputFeatureCount = 2));

        Assert.Contains("Schema mismatch for feature column 'Features': expected Vector<Single>, got Single. A sequence is one vector column, time-major: build it first, e.g. mlContext.Transforms.Concatenate(\"Features\"", error.Message);
    }

    [Fact]
    public void A_text_label_is_refused_naming_its_type()
    {
        var rows = new[] { new TextLabelRow { Features = new float[24], Label = "up" } };

        var error = Assert.IsType<ArgumentOutOfRangeException>(FitFails(_ml.Data.LoadFromEnumerable(rows), o => { o.InputFeatureCount = 2; o.Horizon = 4; o.OutputFeatureCount = 2; }));

        Assert.Contains("Schema mismatch for label column 'Label': expected Vector<Single>, got String. Load or convert it to floats first.", error.Message);
    }

    [Fact]
    public void A_fixed_length_that_is_not_a_multiple_of_the_feature_count_gives_both_numbers()
    {
        var rows = new[] { new FixedRow() };

        var error = Assert.IsAssignableFrom<ArgumentException>(FitFails(_ml.Data.LoadFromEnumerable(rows), o => { o.InputFeatureCount = 2; o.OutputFeatureCount = 2; }));

        Assert.Equal("InputFeatureCount", error.ParamName);
        Assert.StartsWith("Feature column 'Features' holds 25 values, which is not a multiple of InputFeatureCount = 2.", error.Message);
    }

    [Fact]
    public void A_variable_length_row_that_is_not_a_multiple_of_the_feature_count_names_the_row()
    {
        var error = Assert.IsType<InvalidOperationException>(FitFails(_ml.Data.LoadFromEnumerable(ReliabilityKit.FlatRows(20, featureValues: 24, badRow: 13, badFeatureValues: 5)),
            o => { o.InputFeatureCount = 2; o.OutputFeatureCount = 2; }));

        Assert.Equal("Training data: feature column 'Features' row 13 holds 5 values, which is not a positive multiple of InputFeatureCount = 2.", error.Message);
    }

    [Fact]
    public void A_label_whose_length_is_not_horizon_times_outputs_gives_the_product()
    {
        var error = Assert.IsAssignableFrom<ArgumentException>(FitFails(_ml.Data.LoadFromEnumerable(ReliabilityKit.FlatRows(4, featureValues: 24)),
            o => { o.InputFeatureCount = 2; o.Horizon = 3; o.OutputFeatureCount = 2; }));

        Assert.Equal("Horizon", error.ParamName);
        Assert.StartsWith("Label column 'Label' holds 8 values, but Horizon × OutputFeatureCount = 3 × 2 = 6.", error.Message);
    }

    [Fact]
    public void Empty_training_data_says_so()
    {
        var error = Assert.IsType<InvalidOperationException>(FitFails(Synthetic(count: 0)));

        Assert.StartsWith("Training data has no rows; Fit needs at least one sequence there", error.Message);
    }

    [Fact]
    public void An_empty_validation_set_says_so()
    {
        var error = Assert.IsType<InvalidOperationException>(FitFails(Synthetic(), o => o.ValidationSet = Synthetic(count: 0)));

        Assert.StartsWith("ValidationSet has no rows", error.Message);
    }

    [Fact]
    public void A_validation_set_without_the_label_column_is_named_as_the_validation_set()
    {
        IDataView noLabel = _ml.Transforms.DropColumns("Label").Fit(Synthetic()).Transform(Synthetic());

        var error = Assert.IsAssignableFrom<ArgumentException>(FitFails(Synthetic(), o => o.ValidationSet = noLabel));

        Assert.Equal("ValidationSet", error.ParamName);
        Assert.StartsWith("ValidationSet does not match the training data: Could not find label column 'Label'.", error.Message);
    }

    [Fact]
    public void A_validation_set_of_another_shape_gives_both_shapes()
    {
        IDataView threeFeatures = _ml.Data.LoadFromEnumerable(new[] { new ThreeFeatureRow() });

        var error = Assert.IsAssignableFrom<ArgumentException>(FitFails(Synthetic(), o => o.ValidationSet = threeFeatures));

        Assert.Equal("ValidationSet", error.ParamName);
        Assert.Contains("InputFeatureCount = 3", error.Message);
        Assert.Contains("InputFeatureCount = 2", error.Message);
    }

    [Theory]
    [InlineData("Features", 5, float.NaN, "NaN at index 5 (time step 2, feature 1)")]
    [InlineData("Features", 0, float.PositiveInfinity, "+Infinity at index 0 (time step 0, feature 0)")]
    [InlineData("Label", 7, float.NegativeInfinity, "-Infinity at index 7 (time step 3, feature 1)")]
    public void A_non_finite_value_names_data_column_row_and_place_and_the_Skip_option(string column, int position, float value, string shown)
    {
        var rows = ReliabilityKit.RowsWith(40, seed: 1, row: 17, r => (column == "Label" ? r.Label : r.Features)[position] = value);

        var error = Assert.IsType<InvalidOperationException>(FitFails(_ml.Data.LoadFromEnumerable(rows)));

        string role = column == "Label" ? "Label" : "Feature";
        Assert.Equal($"Training data: {role} column '{column}' row 17 holds {shown}; remove or impute non-finite values first, "
            + "or set Seq2SeqOptions.NonFiniteRows = NonFiniteRowHandling.Skip to drop such rows.", error.Message);
    }

    [Fact]
    public void A_non_finite_value_in_the_validation_set_names_the_validation_set()
    {
        var rows = ReliabilityKit.RowsWith(10, seed: 2, row: 4, r => r.Label[0] = float.NaN);

        var error = Assert.IsType<InvalidOperationException>(FitFails(Synthetic(), o => o.ValidationSet = _ml.Data.LoadFromEnumerable(rows)));

        Assert.StartsWith("ValidationSet: Label column 'Label' row 4 holds NaN at index 0 (time step 0, feature 0)", error.Message);
    }

    [Fact]
    public void NonFiniteRows_Skip_drops_such_rows_logs_how_many_and_trains_on_the_rest()
    {
        var rows = SyntheticSequences.Generate(80, seed: 1);
        rows[3].Features[0] = float.NaN;
        rows[10].Label[2] = float.PositiveInfinity;
        rows[11].Features[7] = float.NegativeInfinity;
        var log = ReliabilityKit.CaptureLog(_ml);
        Seq2SeqOptions options = ReliabilityKit.TinyOptions(maxEpochs: 1);
        options.NonFiniteRows = NonFiniteRowHandling.Skip;

        using Seq2SeqTransformer model = _ml.Regression.Trainers.Seq2Seq(options).Fit(_ml.Data.LoadFromEnumerable(rows));

        Assert.Contains(log, m => m.Contains("Training data: NonFiniteRows = Skip dropped 3 of 80 rows holding NaN or infinite values in 'Features' or 'Label' (the first is row 3).") && m.Contains("Warning"));
        Assert.Contains(log, m => m.Contains("Seq2Seq: 77 training rows"));
    }

    [Fact]
    public void NonFiniteRows_Skip_with_no_row_left_fails_clearly()
    {
        var rows = SyntheticSequences.Generate(5, seed: 1);
        rows.ForEach(r => r.Label[0] = float.NaN);

        var error = Assert.IsType<InvalidOperationException>(FitFails(_ml.Data.LoadFromEnumerable(rows), o => o.NonFiniteRows = NonFiniteRowHandling.Skip));

        Assert.Equal("Training data: NonFiniteRows = Skip dropped 5 of 5 rows holding NaN or infinite values in 'Features' or 'Label' (the first is row 0); "
            + "no row is left. Impute or remove the non-finite values before Fit.", error.Message);
    }

    [Fact]
    public void Transform_on_data_of_another_width_than_training_is_refused_with_both_widths()
    {
        using Seq2SeqTransformer model = _ml.Regression.Trainers.Seq2Seq(ReliabilityKit.TinyOptions(maxEpochs: 1)).Fit(Synthetic());
        IDataView threeFeatures = _ml.Data.LoadFromEnumerable(new[] { new ThreeFeatureRow() });
        IDataView twentyFive = _ml.Data.LoadFromEnumerable(new[] { new FixedRow() });

        var perStep = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(threeFeatures));
        var total = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(twentyFive));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Model.CreatePredictionEngine<ThreeFeatureRow, Seq2SeqTransformerTests.ScoreRow>(model,
            new PredictionEngineOptions { OwnsTransformer = false }));

        Assert.StartsWith("Schema mismatch for feature column 'Features': expected Vector<Single, L, 2> (a multiple of 2 values), got Vector<Single, 12, 3>. This model was trained with 2 features per time step.", perStep.Message);
        Assert.StartsWith("Schema mismatch for feature column 'Features': expected Vector<Single, L, 2> (a multiple of 2 values), got Vector<Single, 25>.", total.Message);
    }

    public sealed class ScalarRow
    {
        public float Features { get; set; }

        [VectorType(8)]
        public float[] Label { get; set; } = Array.Empty<float>();
    }

    public sealed class TextLabelRow
    {
        [VectorType(24)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public string Label { get; set; } = "";
    }

    public sealed class FixedRow
    {
        [VectorType(25)]
        public float[] Features { get; set; } = new float[25];

        [VectorType(8)]
        public float[] Label { get; set; } = new float[8];
    }

    public sealed class ThreeFeatureRow
    {
        [VectorType(12, 3)]
        public float[] Features { get; set; } = new float[36];

        [VectorType(4, 2)]
        public float[] Label { get; set; } = new float[8];
    }
}
