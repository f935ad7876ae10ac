using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Columns;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Windows;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Evaluation;

/// <summary>
/// Persistence and the closed-form linear forecaster on windows. The linear one: for every training window and forecast
/// column k (input column c = target[k]), x = (input[t, c] − last[c]) for t &lt; L − 1 plus a constant 1, and
/// y = (label[h, k] − last[c]) for every h; one ridge regression W = (XᵀX + λ·mean(diag XᵀX)·I)⁻¹ XᵀY shared by all
/// columns, solved in float64; the forecast is x·W + last.
/// </summary>
internal static class ForecastBaselines
{
    public static ForecastBaselineMetrics Evaluate(IDataView train, IDataView test, string featureColumnName, string labelColumnName, int[]? targetInputIndices, double ridgePenalty)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (!double.IsFinite(ridgePenalty) || ridgePenalty < 0)
            throw new ArgumentOutOfRangeException(nameof(ridgePenalty), ridgePenalty, "The ridge penalty must be a finite number ≥ 0.");
        var (inputLength, inputs) = Dimensions(test.Schema, featureColumnName, "feature", nameof(test));
        var (horizon, outputs) = Dimensions(test.Schema, labelColumnName, "label", nameof(test));
        if (Dimensions(train.Schema, featureColumnName, "feature", nameof(train)) != (inputLength, inputs) || Dimensions(train.Schema, labelColumnName, "label", nameof(train)) != (horizon, outputs))
            throw new ArgumentException("The training and test windows have different shapes.", nameof(train));
        int[] targets = Targets(targetInputIndices, SequenceWindowDataView.TargetInputIndicesOf(test.Schema[labelColumnName]), inputs, outputs);

        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var (trainX, trainY, _) = Design(train, featureColumnName, labelColumnName, inputLength, inputs, horizon, outputs, targets);
        Tensor gram = trainX.t().matmul(trainX);
        double scale = ReadDouble(gram.diagonal().mean());
        Tensor weights = torch.linalg.solve(Plus(gram, Times(torch.eye(gram.shape[0], dtype: ScalarType.Float64), ridgePenalty * scale)), trainX.t().matmul(trainY));

        var (testX, _, lasts) = Design(test, featureColumnName, labelColumnName, inputLength, inputs, horizon, outputs, targets);
        double[] linear = testX.matmul(weights).data<double>().ToArray(); // (windows · O, H), minus the last value
        var persistence = new SequenceErrorAccumulator(horizon, outputs);
        var linearErrors = new SequenceErrorAccumulator(horizon, outputs);
        var score = new float[horizon * outputs];
        int window = 0;
        foreach (float[] label in test.GetColumn<float[]>(labelColumnName))
        {
            for (int h = 0; h < horizon; h++)
                for (int k = 0; k < outputs; k++)
                    score[h * outputs + k] = (float)lasts[window * outputs + k];
            persistence.Add(label, score);
            for (int h = 0; h < horizon; h++)
                for (int k = 0; k < outputs; k++)
                    score[h * outputs + k] = (float)(lasts[window * outputs + k] + linear[((long)window * outputs + k) * horizon + h]);
            linearErrors.Add(label, score);
            window++;
        }
        if (window == 0)
            throw new ArgumentException("The test data has no windows.", nameof(test));
        return new ForecastBaselineMetrics(persistence.ToMetrics(), linearErrors.ToMetrics());
    }

    /// <summary>X (windows·O, L), Y (windows·O, H) in float64 on the CPU, and each row's last value.</summary>
    private static (Tensor X, Tensor Y, double[] Lasts) Design(IDataView data, string featureColumnName, string labelColumnName,
        int inputLength, int inputs, int horizon, int outputs, int[] targets)
    {
        var x = new List<double>();
        var y = new List<double>();
        var lasts = new List<double>();
        foreach (var (features, label) in data.GetColumn<float[]>(featureColumnName).Zip(data.GetColumn<float[]>(labelColumnName)))
        {
            if (features.Length != inputLength * inputs || label.Length != horizon * outputs)
                throw new ArgumentException($"A window holds {features.Length} feature and {label.Length} label values; the baselines need full-length windows of {inputLength * inputs} and {horizon * outputs}.");
            for (int k = 0; k < outputs; k++)
            {
                int c = targets[k];
                double last = features[(inputLength - 1) * inputs + c];
                lasts.Add(last);
                for (int t = 0; t < inputLength - 1; t++)
                    x.Add(features[t * inputs + c] - last);
                x.Add(1);
                for (int h = 0; h < horizon; h++)
                    y.Add(label[h * outputs + k] - last);
            }
        }
        if (lasts.Count == 0)
            throw new ArgumentException("The baselines need at least one window in the training and the test data.");
        long rows = lasts.Count;
        return (torch.tensor(x.ToArray(), new[] { rows, (long)inputLength }), torch.tensor(y.ToArray(), new[] { rows, (long)horizon }), lasts.ToArray());
    }

    private static (int Steps, int Features) Dimensions(DataViewSchema schema, string column, string role, string parameterName)
    {
        var type = (VectorDataViewType)FloatVectorColumn.Find(schema, column, role, parameterName).Type;
        if (type.Dimensions.Length != 2 || type.Size == 0)
            throw new ArgumentException($"The {role} column '{column}' needs fixed [steps, features] dimensions for the baselines (windows from mlContext.Data.CreateSequenceWindows have them).");
        return (type.Dimensions[0], type.Dimensions[1]);
    }

    private static int[] Targets(int[]? given, int[]? fromWindows, int inputs, int outputs)
    {
        if (given is not null)
        {
            if (given.Length != outputs || given.Any(i => i < 0 || i >= inputs))
                throw new ArgumentException($"targetInputIndices must hold {outputs} input indices in [0, {inputs}).", "targetInputIndices");
            return given;
        }
        if (fromWindows is not null && fromWindows.Length == outputs && fromWindows.All(i => i >= 0 && i < inputs))
            return fromWindows;
        if (outputs == inputs)
            return Enumerable.Range(0, outputs).ToArray();
        throw new ArgumentException($"Which input column does each of the {outputs} outputs forecast? Pass targetInputIndices (the data has {inputs} inputs per step).", "targetInputIndices");
    }
}
