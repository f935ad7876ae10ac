using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Tests;

/// <summary>
/// Sequences whose answer is known: each row is a window of a smooth multivariate signal (random sinusoids plus
/// noise), and the label is a delayed, scaled copy of the input — label step h = Scale × input step (L − Delay + h).
/// A model can learn it exactly; predicting the mean cannot.
/// </summary>
internal static class SyntheticSequences
{
    public const int InputLength = 12;
    public const int FeatureCount = 2;
    public const int Horizon = 4;
    public const int Delay = 6;
    public const float Scale = 0.8f;

    public sealed class Row
    {
        [VectorType(InputLength, FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        [VectorType(Horizon, FeatureCount)]
        public float[] Label { get; set; } = Array.Empty<float>();
    }

    public static List<Row> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Row>(count);
        for (int n = 0; n < count; n++)
        {
            var features = new float[InputLength * FeatureCount];
            for (int f = 0; f < FeatureCount; f++)
            {
                double frequency = 0.3 + random.NextDouble() * 0.5, phase = random.NextDouble() * 2 * Math.PI;
                double amplitude = 0.5 + random.NextDouble();
                for (int t = 0; t < InputLength; t++)
                    features[t * FeatureCount + f] = (float)(amplitude * Math.Sin(frequency * t + phase) + 0.05 * (random.NextDouble() - 0.5));
            }
            var label = new float[Horizon * FeatureCount];
            for (int h = 0; h < Horizon; h++)
                for (int f = 0; f < FeatureCount; f++)
                    label[h * FeatureCount + f] = Scale * features[(InputLength - Delay + h) * FeatureCount + f];
            rows.Add(new Row { Features = features, Label = label });
        }
        return rows;
    }

    /// <summary>MSE of predicting each label position's mean (over <paramref name="rows"/>): what a model must beat.</summary>
    public static double MeanPredictorMse(IReadOnlyList<Row> rows)
    {
        int length = Horizon * FeatureCount;
        var mean = new double[length];
        foreach (Row row in rows)
            for (int i = 0; i < length; i++)
                mean[i] += row.Label[i] / (double)rows.Count;
        return rows.Sum(row => Enumerable.Range(0, length).Sum(i => Math.Pow(row.Label[i] - mean[i], 2))) / (rows.Count * (double)length);
    }

    /// <summary>Options sized for fast tests on two cores.</summary>
    public static Seq2SeqOptions SmallOptions(int maxEpochs = 30) => new()
    {
        HiddenSize = 32,
        BatchSize = 32,
        MaxEpochs = maxEpochs,
        LearningRate = 1e-2,
        Seed = 1,
    };
}
