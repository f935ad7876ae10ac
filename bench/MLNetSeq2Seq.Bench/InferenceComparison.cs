using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;
using TorchSharp;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Figure 3: the same trained model scores the same rows two ways, alternating: Transform (a cursor over the Score
/// column; the component scores blocks of InferenceBatchSize = 256 rows) and a PredictionEngine called once per row
/// (its best case: one engine, output object reused). For reference, a hand-written TorchSharp forward of the same
/// architecture (RawSequenceNetwork, other weights) runs over pre-built tensors in blocks of 256 rows, and row by row
/// over the first rows (a rate needs fewer rows, and per-row scoring is the slow part of the figure),
/// copying scores out to managed arrays as the component does. The order of the four sides rotates from round to
/// round. Only scoring is timed; the model is trained beforehand on the first batch of rows for one epoch (speed does
/// not depend on how good the weights are).
/// </summary>
internal sealed class InferenceComparison : IDisposable
{
    private readonly MLContext _ml = new(seed: Workload.Seed);
    private readonly List<SequenceRow> _rows;
    private readonly IDataView _view;
    private readonly Seq2SeqTransformer _model;
    private readonly RawSequenceNetwork _raw;
    private readonly TorchSharp.torch.Tensor _features;
    private readonly int _scoreLength = Workload.Horizon * Workload.OutputFeatureCount;

    private readonly int _rawPerRowRows;

    public InferenceComparison(Workload workload, int rawPerRowRows)
    {
        Workload = workload;
        _rawPerRowRows = Math.Min(rawPerRowRows, workload.RowCount);
        _rows = workload.GenerateRows();
        _view = workload.ToDataView(_ml, _rows);
        var trainingRows = _rows.Take(Math.Min(Workload.DefaultBatchSize, _rows.Count)).ToList();
        _model = ComponentFit.Train(workload with { RowCount = trainingRows.Count }, workload.ToDataView(_ml, trainingRows), maxEpochs: 1);
        _raw = new RawSequenceNetwork(Workload.FeatureCount, Workload.OutputFeatureCount, Workload.HiddenSize, Workload.LayerCount, Workload.Horizon);
        _raw.eval();
        _features = torch.tensor(_rows.SelectMany(r => r.Features).ToArray(), new long[] { _rows.Count, workload.InputLength, Workload.FeatureCount });
    }

    public Workload Workload { get; }

    public List<InferencePair> Pairs { get; } = new();

    public InferencePair RunPair(int round)
    {
        float[] batched = new float[_rows.Count * _scoreLength], perRow = new float[_rows.Count * _scoreLength];
        float[] rawScores = new float[_rows.Count * _scoreLength];
        var seconds = new double[4];
        for (int i = 0; i < 4; i++)
        {
            int side = (round + i) % 4;
            TrainingComparison.Quiesce();
            seconds[side] = side switch
            {
                0 => ScoreWithTransform(batched),
                1 => ScoreWithEngine(perRow),
                2 => ScoreRaw(rawScores, Workload.DefaultBatchSize),
                _ => ScoreRawPerRow(rawScores),
            };
        }
        double maxDifference = batched.Zip(perRow, (a, b) => Math.Abs(a - b)).Max();
        var pair = new InferencePair(round, _rows.Count, _rawPerRowRows, seconds[0], seconds[1], seconds[2], seconds[3], maxDifference);
        Pairs.Add(pair);
        return pair;
    }

    private double ScoreWithTransform(float[] scores)
    {
        var clock = Stopwatch.StartNew();
        IDataView scored = _model.Transform(_view);
        DataViewSchema.Column scoreColumn = scored.Schema[_model.ScoreColumnName];
        using (DataViewRowCursor cursor = scored.GetRowCursor(new[] { scoreColumn }))
        {
            var getScore = cursor.GetGetter<VBuffer<float>>(scoreColumn);
            VBuffer<float> score = default;
            int row = 0;
            while (cursor.MoveNext())
            {
                getScore(ref score);
                score.CopyTo(scores.AsSpan(row++ * _scoreLength, _scoreLength));
            }
        }
        return clock.Elapsed.TotalSeconds;
    }

    private double ScoreWithEngine(float[] scores)
    {
        // OwnsTransformer = false: by default disposing the engine disposes the model too.
        using var engine = _ml.Model.CreatePredictionEngine<SequenceRow, ScoreRow>(_model, new PredictionEngineOptions
        {
            InputSchemaDefinition = SequenceRow.SchemaFor(Workload.InputLength),
            OwnsTransformer = false,
        });
        var output = new ScoreRow();
        var clock = Stopwatch.StartNew();
        for (int row = 0; row < _rows.Count; row++)
        {
            engine.Predict(_rows[row], ref output);
            output.Score.CopyTo(scores.AsSpan(row * _scoreLength, _scoreLength));
        }
        return clock.Elapsed.TotalSeconds;
    }

    private double ScoreRaw(float[] scores, int blockSize)
    {
        var clock = Stopwatch.StartNew();
        using var _ = torch.no_grad();
        for (int start = 0; start < _rows.Count; start += blockSize)
        {
            int count = Math.Min(blockSize, _rows.Count - start);
            using var scope = torch.NewDisposeScope();
            torch.Tensor prediction = _raw.Forward(_features.narrow(0, start, count)).contiguous();
            prediction.data<float>().CopyTo(scores.AsSpan(start * _scoreLength, count * _scoreLength), 0, 0);
        }
        return clock.Elapsed.TotalSeconds;
    }

    private double ScoreRawPerRow(float[] scores)
    {
        var clock = Stopwatch.StartNew();
        using var _ = torch.no_grad();
        var shape = new long[] { 1, Workload.InputLength, Workload.FeatureCount };
        for (int row = 0; row < _rawPerRowRows; row++)
        {
            using var scope = torch.NewDisposeScope();
            torch.Tensor prediction = _raw.Forward(torch.tensor(_rows[row].Features, shape)).contiguous();
            prediction.data<float>().CopyTo(scores.AsSpan(row * _scoreLength, _scoreLength), 0, 0);
        }
        return clock.Elapsed.TotalSeconds;
    }

    public void Dispose()
    {
        _model.Dispose();
        _raw.Dispose();
        _features.Dispose();
    }
}
