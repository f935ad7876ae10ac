using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Scoring;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>
/// The smallest ITransformer over the scoring data view and row mapper, standing in for Seq2SeqTransformer so that
/// ML.NET's own PredictionEngine can be pointed at them.
/// </summary>
internal sealed class ScoringTestTransformer : ITransformer
{
    private readonly ISequenceScorer _scorer;
    private readonly int _inferenceBatchSize;
    private readonly string _featureColumnName;

    public ScoringTestTransformer(ISequenceScorer scorer, int inferenceBatchSize, string featureColumnName = FeatureColumnName)
    {
        _scorer = scorer;
        _inferenceBatchSize = inferenceBatchSize;
        _featureColumnName = featureColumnName;
    }

    public const string FeatureColumnName = nameof(SequenceRow.Features);

    public const string ScoreColumnName = nameof(ScoredSequence.Score);

    public bool IsRowToRowMapper => true;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => GetRowToRowMapper(inputSchema).OutputSchema;

    public IDataView Transform(IDataView input) =>
        new SequenceScoringDataView(input, _featureColumnName, ScoreColumnName, _scorer, _inferenceBatchSize);

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        new SequenceScoringRowMapper(inputSchema, _featureColumnName, ScoreColumnName, _scorer);

    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException("A test transformer is not saved.");
}
