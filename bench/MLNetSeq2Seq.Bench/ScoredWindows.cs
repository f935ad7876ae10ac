using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Bench;

/// <summary>A quantile model's scored windows in memory: labels (H × O) and quantiles ([H, Q, O]) per window.</summary>
internal sealed class ScoredWindows
{
    private ScoredWindows(List<float[]> labels, List<float[]> quantiles)
    {
        Labels = labels;
        Quantiles = quantiles;
    }

    public IReadOnlyList<float[]> Labels { get; }

    public IReadOnlyList<float[]> Quantiles { get; }

    public static ScoredWindows Read(IDataView scored) =>
        new(scored.GetColumn<float[]>("Label").ToList(), scored.GetColumn<float[]>("ScoreQuantiles").ToList());

    /// <summary>The median level's values of each window (H × O).</summary>
    public List<float[]> MedianOf(double[] levels, int horizon, int outputs)
    {
        int q = levels.Length, k = Array.IndexOf(levels, 0.5);
        return Quantiles.Select(row =>
        {
            var median = new float[horizon * outputs];
            for (int step = 0; step < horizon; step++)
                for (int o = 0; o < outputs; o++)
                    median[step * outputs + o] = row[(step * q + k) * outputs + o];
            return median;
        }).ToList();
    }

    /// <summary>The quantiles with the outermost pair moved apart by the per (step, output) offsets, kept on their side of
    /// the middle level (the point forecast), as the library's calibration keeps them.</summary>
    public List<float[]> Widened(float[] offsets, int horizon, int outputs) =>
        Quantiles.Select(row =>
        {
            int q = row.Length / (horizon * outputs);
            float[] copy = (float[])row.Clone();
            for (int step = 0; step < horizon; step++)
                for (int o = 0; o < outputs; o++)
                {
                    float c = offsets[step * outputs + o], middle = row[(step * q + q / 2) * outputs + o];
                    copy[(step * q) * outputs + o] = Math.Min(copy[(step * q) * outputs + o] - c, middle);
                    copy[(step * q + q - 1) * outputs + o] = Math.Max(copy[(step * q + q - 1) * outputs + o] + c, middle);
                }
            return copy;
        }).ToList();

    /// <summary>The labels with the given per-window values as "Score" (H × O) or "ScoreQuantiles" ([H, Q, O]).</summary>
    public IDataView AsDataView(MLContext ml, int horizon, int outputs, double[] levels, List<float[]> values)
    {
        bool quantiles = values[0].Length != Labels[0].Length;
        var rows = Labels.Select((label, i) => new Row { Label = label, Values = values[i] }).ToList();
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema["Label"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, horizon, outputs);
        SchemaDefinition.Column column = schema["Values"];
        column.ColumnName = quantiles ? "ScoreQuantiles" : "Score";
        column.ColumnType = quantiles ? new VectorDataViewType(NumberDataViewType.Single, horizon, levels.Length, outputs)
            : new VectorDataViewType(NumberDataViewType.Single, horizon, outputs);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private sealed class Row
    {
        public float[] Label { get; set; } = Array.Empty<float>();
        public float[] Values { get; set; } = Array.Empty<float>();
    }
}
