using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Scoring;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

public sealed class SequenceScoringRowMapperTests
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly CountingSequenceScorer _scorer = new(inputFeatureCount: 3, horizon: 5, outputFeatureCount: 2);

    [Fact]
    public void A_prediction_engine_gives_the_same_scores_as_Transform_one_row_per_call()
    {
        SequenceRow[] rows = SequenceRow.Create(12).Concat(new[] { SequenceRow.Make(12, 7 * 3) }).ToArray();
        var transformer = new ScoringTestTransformer(_scorer, inferenceBatchSize: 8);
        float[][] transformed = transformer.Transform(_ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score").ToArray();
        int callsBefore = _scorer.CallCount;

        using var engine = _ml.Model.CreatePredictionEngine<SequenceRow, ScoredSequence>(transformer);
        ScoredSequence[] predicted = rows.Select(engine.Predict).ToArray();

        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(transformed[i], predicted[i].Score);
            Assert.Equal(rows[i].Name, predicted[i].Name);
        }
        Assert.Equal(Enumerable.Repeat(1, rows.Length), _scorer.Calls.Skip(callsBefore).Select(c => c.RowCount));
        Assert.Equal(7, _scorer.Calls.Last().InputLength);
    }

    [Fact]
    public void A_prediction_engine_over_a_transformer_chain_scores_through_the_composed_mappers()
    {
        // The chain composes its mappers with GetDependencies; a step before ours feeds it the features.
        SequenceRow[] rows = SequenceRow.Create(5);
        IDataView input = _ml.Data.LoadFromEnumerable(rows);
        ITransformer copy = _ml.Transforms.CopyColumns("Sensors", "Features").Fit(input);
        var ours = new ScoringTestTransformer(_scorer, inferenceBatchSize: 4, featureColumnName: "Sensors");
        var chain = new TransformerChain<ITransformer>(copy, ours);

        using var engine = _ml.Model.CreatePredictionEngine<SequenceRow, ScoredSequence>(chain);

        foreach (SequenceRow row in rows)
            Assert.Equal(_scorer.Expected(row.Features), engine.Predict(row).Score);
    }

    [Fact]
    public void The_mapper_schema_matches_the_data_view_and_dependencies_need_the_features_only_for_the_score()
    {
        IDataView input = _ml.Data.LoadFromEnumerable(SequenceRow.Create(3));
        var mapper = new SequenceScoringRowMapper(input.Schema, "Features", "Score", _scorer);
        var view = new SequenceScoringDataView(input, "Features", "Score", _scorer, 4);

        Assert.Same(input.Schema, mapper.InputSchema);
        Assert.Equal(view.Schema.Select(c => (c.Name, c.Index, c.IsHidden, c.Type)), mapper.OutputSchema.Select(c => (c.Name, c.Index, c.IsHidden, c.Type)));
        DataViewSchema output = mapper.OutputSchema;
        Assert.Equal(new[] { "Name" }, mapper.GetDependencies(new[] { output["Name"] }).Select(c => c.Name));
        Assert.Equal(new[] { "Features" }, mapper.GetDependencies(new[] { output["Score"] }).Select(c => c.Name));
        Assert.Equal(new[] { "Features", "Weight" }, mapper.GetDependencies(new[] { output["Weight"], output["Score"] }).Select(c => c.Name));
        Assert.Empty(mapper.GetDependencies(Array.Empty<DataViewSchema.Column>()));
    }

    [Fact]
    public void A_row_scores_its_input_row_once_however_often_the_score_is_read_and_again_when_the_input_moves()
    {
        SequenceRow[] rows = SequenceRow.Create(3);
        IDataView input = _ml.Data.LoadFromEnumerable(rows);
        var mapper = new SequenceScoringRowMapper(input.Schema, "Features", "Score", _scorer);
        using DataViewRowCursor cursor = input.GetRowCursor(input.Schema);
        DataViewRow row = mapper.GetRow(cursor, new[] { mapper.OutputSchema["Score"], mapper.OutputSchema["Weight"] });
        var score = row.GetGetter<VBuffer<float>>(mapper.OutputSchema["Score"]);
        var weight = row.GetGetter<float>(mapper.OutputSchema["Weight"]);
        VBuffer<float> values = default;
        float value = 0;

        Assert.Equal(0, _scorer.CallCount);
        Assert.True(row.IsColumnActive(mapper.OutputSchema["Weight"]));
        Assert.False(row.IsColumnActive(mapper.OutputSchema["Name"]));
        Assert.Throws<InvalidOperationException>(() => row.GetGetter<ReadOnlyMemory<char>>(mapper.OutputSchema["Name"]));
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.True(cursor.MoveNext());
            score(ref values);
            score(ref values);
            weight(ref value);
            Assert.Equal(_scorer.Expected(rows[i].Features), values.DenseValues());
            Assert.Equal(rows[i].Weight, value);
            Assert.Equal(i + 1, _scorer.CallCount);
        }
    }

    [Fact]
    public void A_row_whose_schema_is_not_the_mappers_is_refused()
    {
        IDataView input = _ml.Data.LoadFromEnumerable(SequenceRow.Create(3));
        var mapper = new SequenceScoringRowMapper(input.Schema, "Features", "Score", _scorer);
        IDataView other = _ml.Data.LoadFromEnumerable(new[] { new OtherRow { Features = new float[3] } });
        using DataViewRowCursor cursor = other.GetRowCursor(other.Schema);

        var error = Assert.Throws<ArgumentException>(() => mapper.GetRow(cursor, mapper.OutputSchema));
        Assert.Contains("'Features'", error.Message);
    }

    public sealed class OtherRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
