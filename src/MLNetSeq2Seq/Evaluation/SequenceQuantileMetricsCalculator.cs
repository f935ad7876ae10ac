using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Columns;

namespace MLNetSeq2Seq.Evaluation;

/// <summary>
/// Computes <see cref="SequenceQuantileMetrics"/> in one pass over a label column (H × O values per row) and a quantile
/// column (H × Q × O values per row, [step, level, output], as the model's "{Score}Quantiles" column holds them).
/// </summary>
internal static class SequenceQuantileMetricsCalculator
{
    public static SequenceQuantileMetrics Compute(IDataView data, IReadOnlyList<double> quantileLevels, string labelColumnName, string quantileColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(quantileLevels);
        double[] levels = quantileLevels.ToArray();
        new QuantileOptions { Levels = levels }.Validate(); // the same rules and messages as the training option
        int q = levels.Length;
        DataViewSchema.Column label = FloatVectorColumn.Find(data.Schema, labelColumnName, "label", nameof(labelColumnName));
        DataViewSchema.Column quantiles = FloatVectorColumn.Find(data.Schema, quantileColumnName, "quantile", nameof(quantileColumnName));
        int outputs = label.Type is VectorDataViewType { Dimensions.Length: 2 } labelType ? labelType.Dimensions[1] : 1;
        int median = Array.IndexOf(levels, 0.5);
        var pairs = new List<(int Lower, int Upper)>();
        for (int k = 0; k < q && levels[k] < 0.5; k++)
        {
            int partner = Array.FindIndex(levels, l => Math.Abs(l - (1 - levels[k])) < 1e-9);
            if (partner > k)
                pairs.Add((k, partner));
        }

        var pinball = new double[q];
        var covered = new long[pairs.Count];
        var width = new double[pairs.Count];
        double score = 0;
        long count = 0;
        using DataViewRowCursor cursor = data.GetRowCursor(new[] { label, quantiles });
        ValueGetter<VBuffer<float>> getLabel = cursor.GetGetter<VBuffer<float>>(label);
        ValueGetter<VBuffer<float>> getQuantiles = cursor.GetGetter<VBuffer<float>>(quantiles);
        VBuffer<float> labelRow = default, quantileRow = default;
        for (long row = 0; cursor.MoveNext(); row++)
        {
            getLabel(ref labelRow);
            getQuantiles(ref quantileRow);
            if ((long)labelRow.Length * q != quantileRow.Length || labelRow.Length % outputs != 0)
                throw new ArgumentException($"Row {row}: quantile column '{quantiles.Name}' holds {quantileRow.Length} values, but label column '{label.Name}' "
                    + $"holds {labelRow.Length} and there are {q} levels: the quantile column needs label values × levels = {(long)labelRow.Length * q}.", nameof(quantileColumnName));
            float[] y = labelRow.DenseValues().ToArray(), qs = quantileRow.DenseValues().ToArray();
            for (int i = 0; i < y.Length; i++)
            {
                int step = i / outputs, output = i % outputs;
                double Value(int k) => qs[(step * q + k) * outputs + output];
                if (!float.IsFinite(y[i]))
                    throw new InvalidOperationException($"Row {row}: label column '{label.Name}' holds {y[i]} at index {i}; every label value must be finite.");
                for (int k = 0; k < q; k++)
                {
                    double value = Value(k);
                    if (!double.IsFinite(value))
                        throw new InvalidOperationException($"Row {row}: quantile column '{quantiles.Name}' holds {value} at index {(step * q + k) * outputs + output}; every value must be finite.");
                    double error = y[i] - value;
                    pinball[k] += Math.Max(levels[k] * error, (levels[k] - 1) * error);
                }
                double sum = median >= 0 ? 0.5 * Math.Abs(y[i] - Value(median)) : 0;
                for (int p = 0; p < pairs.Count; p++)
                {
                    double lower = Value(pairs[p].Lower), upper = Value(pairs[p].Upper), alpha = 2 * levels[pairs[p].Lower];
                    covered[p] += lower <= y[i] && y[i] <= upper ? 1 : 0;
                    width[p] += upper - lower;
                    double interval = upper - lower + 2 / alpha * Math.Max(lower - y[i], 0) + 2 / alpha * Math.Max(y[i] - upper, 0);
                    sum += alpha / 2 * interval;
                }
                score += sum;
                count++;
            }
        }
        if (count == 0)
            throw new ArgumentException($"The data to evaluate is empty: label column '{label.Name}' has no values to compare.", nameof(data));
        var intervals = pairs.Select((p, i) => new SequenceInterval(levels[p.Lower], levels[p.Upper], (double)covered[i] / count, width[i] / count)).ToArray();
        double weights = pairs.Count + (median >= 0 ? 0.5 : 0);
        double? weightedIntervalScore = weights == 0 ? null : score / weights / count;
        return new SequenceQuantileMetrics(levels, pinball.Select(s => s / count).ToArray(), intervals, weightedIntervalScore, count);
    }
}
