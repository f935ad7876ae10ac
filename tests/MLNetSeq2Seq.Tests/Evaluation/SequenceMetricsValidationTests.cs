using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Evaluation;

public sealed class SequenceMetricsValidationTests
{
    [Fact]
    public void Fixed_lengths_that_differ_fail_naming_both_columns_and_both_lengths()
    {
        var ml = new MLContext(seed: 1);
        IDataView view = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 3).Select(_ => new ForecastRow
        {
            Truth = new float[12],
            Forecast = new float[8],
        }), ForecastRow.Schema(truthType: ScoredSequences.Vector(12), forecastType: ScoredSequences.Vector(4, 2)));

        var error = Assert.Throws<ArgumentException>(() =>
            ml.Regression.EvaluateSequence(view, labelColumnName: "Truth", scoreColumnName: "Forecast"));

        Assert.Contains("'Truth'", error.Message);
        Assert.Contains("'Forecast'", error.Message);
        Assert.Contains("'Truth' holds 12", error.Message);
        Assert.Contains("8 (Horizon × OutputFeatureCount = 4 × 2", error.Message);
    }

    [Fact]
    public void A_row_whose_lengths_differ_fails_naming_both_columns_the_row_and_the_lengths()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 5).Select(r => new ForecastRow
        {
            Truth = new float[r == 3 ? 5 : 6],
            Forecast = new float[6],
        });
        IDataView view = ml.Data.LoadFromEnumerable(rows, ForecastRow.Schema(truthType: null, forecastType: null));

        var error = Assert.Throws<ArgumentException>(() =>
            ml.Regression.EvaluateSequence(view, labelColumnName: "Truth", scoreColumnName: "Forecast"));

        Assert.Contains("row 3", error.Message);
        Assert.Contains("'Truth' holds 5 values", error.Message);
        Assert.Contains("'Forecast' holds 6", error.Message);
    }

    [Theory]
    [InlineData("Truth", float.NaN, 3, "NaN")]
    [InlineData("Truth", float.NegativeInfinity, 0, "-Infinity")]
    [InlineData("Forecast", float.PositiveInfinity, 4, "+Infinity")]
    [InlineData("Forecast", float.NaN, 1, "NaN")]
    public void A_value_that_is_not_finite_fails_naming_the_column_and_the_row(string column, float value, int row, string shown)
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 6).Select(r => new ForecastRow
        {
            Truth = Enumerable.Range(0, 6).Select(i => (float)(r + i)).ToArray(),
            Forecast = Enumerable.Range(0, 6).Select(i => (float)(r - i)).ToArray(),
        }).ToArray();
        (column == "Truth" ? rows[row].Truth : rows[row].Forecast)[5] = value;
        IDataView view = ml.Data.LoadFromEnumerable(rows,
            ForecastRow.Schema(truthType: ScoredSequences.Vector(6), forecastType: ScoredSequences.Vector(3, 2)));

        var error = Assert.Throws<InvalidOperationException>(() =>
            ml.Regression.EvaluateSequence(view, labelColumnName: "Truth", scoreColumnName: "Forecast"));

        string role = column == "Truth" ? "Label" : "Score";
        Assert.StartsWith($"{role} column '{column}' row {row} holds {shown} at index 5 (time step 2, feature 1); sequence metrics need finite", error.Message);
    }

    [Theory]
    [InlineData("Truth", "Missing")]
    [InlineData("Missing", "Forecast")]
    public void A_missing_column_fails_naming_it_and_the_columns_present(string labelColumnName, string scoreColumnName)
    {
        var ml = new MLContext(seed: 1);
        IDataView view = ml.Data.LoadFromEnumerable(new[] { new ForecastRow { Truth = new float[2], Forecast = new float[2] } });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Regression.EvaluateSequence(view, labelColumnName, scoreColumnName));

        string role = labelColumnName == "Missing" ? "label" : "score";
        Assert.StartsWith($"Could not find {role} column 'Missing'. The columns are: 'Truth', 'Forecast'.", error.Message);
    }

    [Fact]
    public void A_score_column_that_is_not_a_float_vector_fails_naming_it_and_its_type()
    {
        var ml = new MLContext(seed: 1);
        IDataView scalar = ml.Data.LoadFromEnumerable(new[] { new ScalarScoreRow { Label = new float[3], Score = 1f } });
        IDataView doubles = ml.Data.LoadFromEnumerable(new[] { new DoubleScoreRow { Label = new float[3], Score = new double[3] } });

        var scalarError = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.EvaluateSequence(scalar));
        var doublesError = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.EvaluateSequence(doubles));

        Assert.StartsWith("Schema mismatch for score column 'Score': expected Vector<Single>, got Single.", scalarError.Message);
        Assert.StartsWith("Schema mismatch for score column 'Score': expected Vector<Single>, got Vector<Double, 3>.", doublesError.Message);
    }

    [Fact]
    public void Empty_data_fails_saying_it_is_empty()
    {
        var ml = new MLContext(seed: 1);
        IDataView view = ml.Data.LoadFromEnumerable(Array.Empty<ForecastRow>(),
            ForecastRow.Schema(truthType: ScoredSequences.Vector(4), forecastType: ScoredSequences.Vector(2, 2)));

        var error = Assert.Throws<ArgumentException>(() =>
            ml.Regression.EvaluateSequence(view, labelColumnName: "Truth", scoreColumnName: "Forecast"));

        Assert.Contains("empty", error.Message);
        Assert.Contains("'Truth'", error.Message);
        Assert.Contains("'Forecast'", error.Message);
    }

    public sealed class ForecastRow
    {
        public float[] Truth { get; set; } = Array.Empty<float>();

        public float[] Forecast { get; set; } = Array.Empty<float>();

        public static SchemaDefinition Schema(VectorDataViewType? truthType, VectorDataViewType? forecastType)
        {
            SchemaDefinition schema = SchemaDefinition.Create(typeof(ForecastRow));
            if (truthType is not null)
                schema[nameof(Truth)].ColumnType = truthType;
            if (forecastType is not null)
                schema[nameof(Forecast)].ColumnType = forecastType;
            return schema;
        }
    }

    public sealed class ScalarScoreRow
    {
        [VectorType(3)]
        public float[] Label { get; set; } = Array.Empty<float>();

        public float Score { get; set; }
    }

    public sealed class DoubleScoreRow
    {
        [VectorType(3)]
        public float[] Label { get; set; } = Array.Empty<float>();

        [VectorType(3)]
        public double[] Score { get; set; } = Array.Empty<double>();
    }
}
