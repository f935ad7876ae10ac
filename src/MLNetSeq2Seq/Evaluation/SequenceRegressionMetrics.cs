using System.Collections.Generic;

namespace MLNetSeq2Seq;

/// <summary>
/// Regression metrics for predicted sequences, computed over every element of every sequence
/// (sequence count × Horizon × OutputFeatureCount values), plus breakdowns per horizon step and per feature.
/// </summary>
public sealed class SequenceRegressionMetrics
{
    internal SequenceRegressionMetrics(long sequenceCount, double meanSquaredError, double meanAbsoluteError, double rSquared,
        IReadOnlyList<double> meanSquaredErrorPerStep, IReadOnlyList<double> meanAbsoluteErrorPerStep,
        IReadOnlyList<double> meanSquaredErrorPerFeature, IReadOnlyList<double> meanAbsoluteErrorPerFeature)
    {
        SequenceCount = sequenceCount;
        MeanSquaredError = meanSquaredError;
        MeanAbsoluteError = meanAbsoluteError;
        RSquared = rSquared;
        MeanSquaredErrorPerStep = meanSquaredErrorPerStep;
        MeanAbsoluteErrorPerStep = meanAbsoluteErrorPerStep;
        MeanSquaredErrorPerFeature = meanSquaredErrorPerFeature;
        MeanAbsoluteErrorPerFeature = meanAbsoluteErrorPerFeature;
    }

    /// <summary>Number of sequences (rows) evaluated.</summary>
    public long SequenceCount { get; }

    /// <summary>Mean of the squared errors over all elements.</summary>
    public double MeanSquaredError { get; }

    /// <summary>Square root of <see cref="MeanSquaredError"/>.</summary>
    public double RootMeanSquaredError => System.Math.Sqrt(MeanSquaredError);

    /// <summary>Mean of the absolute errors over all elements.</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>
    /// Coefficient of determination: 1 − SSE / SST, where SST sums the squared deviations of each label element
    /// from the mean of its own (step, feature) position — sklearn's variance-weighted multi-output R² whenever
    /// every position's labels vary (sklearn drops the errors at a constant position; here they still count).
    /// 1 is perfect; 0 is as good as predicting each position's mean; it can be negative. When every position's
    /// labels are constant (SST = 0) it is 1 for a perfect prediction and 0 otherwise, never NaN.
    /// </summary>
    public double RSquared { get; }

    /// <summary>Mean squared error of each horizon step h (Horizon values), over sequences and features.</summary>
    public IReadOnlyList<double> MeanSquaredErrorPerStep { get; }

    /// <summary>Mean absolute error of each horizon step h (Horizon values), over sequences and features.</summary>
    public IReadOnlyList<double> MeanAbsoluteErrorPerStep { get; }

    /// <summary>Mean squared error of each output feature f (OutputFeatureCount values), over sequences and steps.</summary>
    public IReadOnlyList<double> MeanSquaredErrorPerFeature { get; }

    /// <summary>Mean absolute error of each output feature f (OutputFeatureCount values), over sequences and steps.</summary>
    public IReadOnlyList<double> MeanAbsoluteErrorPerFeature { get; }

    /// <summary>The series column of each output feature, in order, when the label comes from window views
    /// (<c>CreateSequenceWindows</c>, <c>SplitSequenceWindowsChronologically</c>); otherwise null.</summary>
    public IReadOnlyList<string>? FeatureNames { get; internal init; }

    /// <summary>
    /// The same metrics in the series' own units, when the label comes from windows standardized with series statistics
    /// (the split's z-scores, or <see cref="SequenceWindowOptions.Standardization"/>): every label and score value is
    /// mapped back with value × scale + mean of its column first. Per-feature errors are then in each column's units
    /// (squared units for MSE); the overall MSE and MAE mix the columns' units, as the "raw" figures of the ETT papers
    /// do. Null when the windows were not standardized (the metrics above are then already in the series' units).
    /// </summary>
    public SequenceRegressionMetrics? InOriginalUnits { get; internal init; }

    internal SequenceRegressionMetrics With(IReadOnlyList<string> featureNames, SequenceRegressionMetrics? inOriginalUnits) =>
        new(SequenceCount, MeanSquaredError, MeanAbsoluteError, RSquared, MeanSquaredErrorPerStep, MeanAbsoluteErrorPerStep,
            MeanSquaredErrorPerFeature, MeanAbsoluteErrorPerFeature)
        { FeatureNames = featureNames, InOriginalUnits = inOriginalUnits };
}
