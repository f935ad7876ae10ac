using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Tests.Evaluation;

/// <summary>One scored row: a true and a predicted sequence, each Horizon × OutputFeatureCount floats, time-major.</summary>
public sealed class SequenceRow
{
    public float[] Label { get; set; } = Array.Empty<float>();

    public float[] Score { get; set; } = Array.Empty<float>();
}

/// <summary>
/// Labels and scores as plain arrays, the IDataView built from them, and the expected metrics computed directly
/// from the arrays with straightforward loops (two-pass means), independently of the code under test.
/// </summary>
internal sealed class ScoredSequences
{
    public ScoredSequences(float[][] labels, float[][] scores, int horizon, int outputFeatureCount)
    {
        Labels = labels;
        Scores = scores;
        Horizon = horizon;
        OutputFeatureCount = outputFeatureCount;
    }

    public float[][] Labels { get; }

    public float[][] Scores { get; }

    public int Horizon { get; }

    public int OutputFeatureCount { get; }

    /// <summary>
    /// Random sequences whose errors differ by step and by feature (they grow with the step, and each feature has
    /// its own scale and bias), so that a breakdown summed along the wrong axis gives different numbers.
    /// </summary>
    public static ScoredSequences Random(int seed, int rowCount, int horizon, int outputFeatureCount)
    {
        var random = new Random(seed);
        var labels = new float[rowCount][];
        var scores = new float[rowCount][];
        for (int r = 0; r < rowCount; r++)
        {
            labels[r] = new float[horizon * outputFeatureCount];
            scores[r] = new float[horizon * outputFeatureCount];
            for (int h = 0; h < horizon; h++)
            {
                for (int f = 0; f < outputFeatureCount; f++)
                {
                    double label = 10 * f + Math.Sin(0.3 * (r + h)) + 3 * Gaussian(random);
                    double error = (0.2 + 0.1 * h) * (1 + 0.5 * f) * Gaussian(random) + 0.1 * f;
                    labels[r][h * outputFeatureCount + f] = (float)label;
                    scores[r][h * outputFeatureCount + f] = (float)(label + error);
                }
            }
        }

        return new ScoredSequences(labels, scores, horizon, outputFeatureCount);
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>The same labels with new scores.</summary>
    public ScoredSequences WithScores(float[][] scores) => new(Labels, scores, Horizon, OutputFeatureCount);

    public IEnumerable<SequenceRow> Rows() =>
        Labels.Select((label, r) => new SequenceRow { Label = label, Score = Scores[r] });

    /// <summary>
    /// The data with the given column types; null leaves a column a variable-length float vector without
    /// dimensions, which is what ML.NET infers for a float[] property without attributes.
    /// </summary>
    public IDataView ToDataView(MLContext ml, VectorDataViewType? labelType, VectorDataViewType? scoreType)
    {
        SchemaDefinition schema = SchemaDefinition.Create(typeof(SequenceRow));
        if (labelType is not null)
            schema[nameof(SequenceRow.Label)].ColumnType = labelType;
        if (scoreType is not null)
            schema[nameof(SequenceRow.Score)].ColumnType = scoreType;
        return ml.Data.LoadFromEnumerable(Rows(), schema);
    }

    /// <summary>The usual layout: both columns hold Horizon × OutputFeatureCount values, the score declares [H, O].</summary>
    public IDataView ToDataView(MLContext ml) =>
        ToDataView(ml, Vector(Horizon * OutputFeatureCount), Vector(Horizon, OutputFeatureCount));

    public static VectorDataViewType Vector(params int[] dimensions) => new(NumberDataViewType.Single, dimensions);

    private double Error(int r, int h, int f) =>
        (double)Scores[r][h * OutputFeatureCount + f] - Labels[r][h * OutputFeatureCount + f];

    public double MeanSquaredError() => MeanOver(AllRows, Steps, Features, (r, h, f) => Square(Error(r, h, f)));

    public double MeanAbsoluteError() => MeanOver(AllRows, Steps, Features, (r, h, f) => Math.Abs(Error(r, h, f)));

    public double[] MeanSquaredErrorPerStep() =>
        Steps.Select(h => MeanOver(AllRows, new[] { h }, Features, (r, hh, f) => Square(Error(r, hh, f)))).ToArray();

    public double[] MeanAbsoluteErrorPerStep() =>
        Steps.Select(h => MeanOver(AllRows, new[] { h }, Features, (r, hh, f) => Math.Abs(Error(r, hh, f)))).ToArray();

    public double[] MeanSquaredErrorPerFeature() =>
        Features.Select(f => MeanOver(AllRows, Steps, new[] { f }, (r, h, ff) => Square(Error(r, h, ff)))).ToArray();

    public double[] MeanAbsoluteErrorPerFeature() =>
        Features.Select(f => MeanOver(AllRows, Steps, new[] { f }, (r, h, ff) => Math.Abs(Error(r, h, ff)))).ToArray();

    /// <summary>1 − SSE / SST with SST taken around each (step, feature) position's own mean, two passes.</summary>
    public double RSquared()
    {
        double[,] mean = PositionMeans();
        double sse = 0, sst = 0;
        foreach (int r in AllRows)
        {
            foreach (int h in Steps)
            {
                foreach (int f in Features)
                {
                    sse += Square(Error(r, h, f));
                    sst += Square(Labels[r][h * OutputFeatureCount + f] - mean[h, f]);
                }
            }
        }

        return 1 - sse / sst;
    }

    public double[,] PositionMeans()
    {
        var mean = new double[Horizon, OutputFeatureCount];
        foreach (int h in Steps)
            foreach (int f in Features)
                mean[h, f] = Labels.Average(label => (double)label[h * OutputFeatureCount + f]);
        return mean;
    }

    private IEnumerable<int> AllRows => Enumerable.Range(0, Labels.Length);

    private IEnumerable<int> Steps => Enumerable.Range(0, Horizon);

    private IEnumerable<int> Features => Enumerable.Range(0, OutputFeatureCount);

    private static double MeanOver(IEnumerable<int> rows, IEnumerable<int> steps, IEnumerable<int> features,
        Func<int, int, int, double> value)
    {
        double sum = 0;
        long count = 0;
        foreach (int r in rows)
        {
            foreach (int h in steps)
            {
                foreach (int f in features)
                {
                    sum += value(r, h, f);
                    count++;
                }
            }
        }

        return sum / count;
    }

    private static double Square(double x) => x * x;
}
