using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Scoring;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

public sealed class FeatureValidationTests
{
    private const int F = 7;
    private readonly MLContext _ml = new(seed: 1);
    private readonly CountingSequenceScorer _scorer = new(F, horizon: 2, outputFeatureCount: 1);

    [Fact]
    public void A_length_that_is_not_a_multiple_of_the_feature_count_names_column_row_and_numbers()
    {
        SequenceRow[] rows = Rows(30, badRow: 17, featureValues: 30);

        var error = Assert.Throws<InvalidOperationException>(() => ScoreAll(rows));

        Assert.Equal("Feature column 'Features' row 17 holds 30 values, which is not a multiple of InputFeatureCount = 7.", error.Message);
    }

    [Fact]
    public void A_cursor_that_met_a_bad_row_serves_nothing_more()
    {
        IDataView scored = new SequenceScoringDataView(_ml.Data.LoadFromEnumerable(Rows(12, badRow: 5, featureValues: 3)), "Features", "Score", _scorer, 4);
        using var cursor = scored.GetRowCursor(scored.Schema);
        for (int i = 0; i < 4; i++)
            Assert.True(cursor.MoveNext());

        Assert.Throws<InvalidOperationException>(() => cursor.MoveNext());

        Assert.False(cursor.MoveNext());
        Assert.Equal(-1, cursor.Position);
    }

    [Fact]
    public void An_empty_sequence_names_column_and_row()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ScoreAll(Rows(10, badRow: 3, featureValues: 0)));

        Assert.Contains("Feature column 'Features' row 3 holds 0 values", error.Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void A_value_that_is_not_finite_names_column_row_and_place(float bad, string shown)
    {
        SequenceRow[] rows = Rows(20, badRow: 11, featureValues: 2 * F);
        rows[11].Features[F + 2] = bad;

        var error = Assert.Throws<InvalidOperationException>(() => ScoreAll(rows));

        Assert.StartsWith($"Feature column 'Features' row 11 holds {shown} at index 9 (time step 1, feature 2)", error.Message);
    }

    [Fact]
    public void The_row_mapper_checks_its_row_the_same_way()
    {
        SequenceRow[] rows = Rows(3, badRow: 2, featureValues: 2 * F);
        rows[2].Features[0] = float.NaN;
        using var engine = _ml.Model.CreatePredictionEngine<SequenceRow, ScoredSequence>(new ScoringTestTransformer(_scorer, 8));
        engine.Predict(rows[0]);
        engine.Predict(rows[1]);

        var error = Assert.Throws<InvalidOperationException>(() => engine.Predict(rows[2]));

        Assert.Contains("Feature column 'Features' row 2 holds NaN", error.Message);
        // The failed row leaves nothing stale behind: the next good row is scored.
        Assert.Equal(_scorer.Expected(rows[0].Features), engine.Predict(rows[0]).Score);
    }

    [Fact]
    public void A_missing_feature_column_is_a_schema_error_naming_it()
    {
        IDataView input = _ml.Data.LoadFromEnumerable(Rows(2, badRow: -1, featureValues: F));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceScoringDataView(input, "Sensors", "Score", _scorer, 8));
        Assert.StartsWith("Could not find feature column 'Sensors'. The columns are: ", error.Message);
        Assert.Contains("'Features'", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceScoringRowMapper(input.Schema, "Sensors", "Score", _scorer));
    }

    [Theory]
    [InlineData(nameof(SequenceRow.Name), "String")]
    [InlineData(nameof(SequenceRow.Weight), "Single")]
    [InlineData("Doubles", "Vector<Double")]
    public void A_feature_column_of_another_type_names_the_type_found(string column, string typeShown)
    {
        IDataView input = _ml.Transforms.Conversion.ConvertType("Doubles", nameof(SequenceRow.Extra), DataKind.Double)
            .Fit(_ml.Data.LoadFromEnumerable(Rows(2, badRow: -1, featureValues: F)))
            .Transform(_ml.Data.LoadFromEnumerable(Rows(2, badRow: -1, featureValues: F)));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceScoringRowMapper(input.Schema, column, "Score", _scorer));

        Assert.StartsWith($"Schema mismatch for feature column '{column}': expected Vector<Single>, got {typeShown}", error.Message);
    }

    [Fact]
    public void A_batch_size_below_one_is_refused()
    {
        IDataView input = _ml.Data.LoadFromEnumerable(Rows(2, badRow: -1, featureValues: F));

        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceScoringDataView(input, "Features", "Score", _scorer, 0));
    }

    private static SequenceRow[] Rows(int count, int badRow, int featureValues) =>
        Enumerable.Range(0, count).Select(i => SequenceRow.Make(i, i == badRow ? featureValues : 2 * F)).ToArray();

    private void ScoreAll(SequenceRow[] rows)
    {
        IDataView scored = new SequenceScoringDataView(_ml.Data.LoadFromEnumerable(rows), "Features", "Score", _scorer, 8);
        using var cursor = scored.GetRowCursor(scored.Schema);
        while (cursor.MoveNext())
        {
        }
    }
}
