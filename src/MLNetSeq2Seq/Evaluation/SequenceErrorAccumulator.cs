using System;

namespace MLNetSeq2Seq.Evaluation;

/// <summary>
/// Running sums for <see cref="SequenceRegressionMetrics"/>, one slot per (step, feature) position, in double.
/// A sequence is Horizon × OutputFeatureCount values, time-major: position p = step × OutputFeatureCount + feature.
/// </summary>
internal sealed class SequenceErrorAccumulator
{
    private readonly int _horizon;
    private readonly int _outputFeatureCount;
    private readonly double[] _squaredErrorSum;
    private readonly double[] _absoluteErrorSum;
    // Welford's running mean and sum of squared deviations of the labels, per position: SST stays accurate when
    // labels sit far from zero, where Σy² − n·mean² would cancel catastrophically.
    private readonly double[] _labelMean;
    private readonly double[] _labelSquaredDeviationSum;
    // How many sequences reached each position: a variable-length label covers only its first steps.
    private readonly long[] _count;
    private long _sequenceCount;

    public SequenceErrorAccumulator(int horizon, int outputFeatureCount)
    {
        if (horizon <= 0)
            throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "Horizon must be positive.");
        if (outputFeatureCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(outputFeatureCount), outputFeatureCount, "OutputFeatureCount must be positive.");
        _horizon = horizon;
        _outputFeatureCount = outputFeatureCount;
        int positionCount = checked(horizon * outputFeatureCount);
        _squaredErrorSum = new double[positionCount];
        _absoluteErrorSum = new double[positionCount];
        _labelMean = new double[positionCount];
        _labelSquaredDeviationSum = new double[positionCount];
        _count = new long[positionCount];
    }

    public long SequenceCount => _sequenceCount;

    /// <summary>
    /// Adds one sequence. <paramref name="score"/> holds Horizon × OutputFeatureCount finite values, time-major;
    /// <paramref name="label"/> holds as many, or — for a variable-length label — the values of its first steps
    /// only (a whole number of steps), and only those positions are scored.
    /// </summary>
    public void Add(ReadOnlySpan<float> label, ReadOnlySpan<float> score)
    {
        if (score.Length != _squaredErrorSum.Length || label.Length == 0 || label.Length > score.Length || label.Length % _outputFeatureCount != 0)
            throw new ArgumentException(
                $"Expected {_squaredErrorSum.Length} score values and 1 to {_horizon} whole steps of {_outputFeatureCount} label values, got {score.Length} and {label.Length}.");

        _sequenceCount++;
        for (int p = 0; p < label.Length; p++)
        {
            double y = label[p];
            double error = score[p] - y;
            _squaredErrorSum[p] += error * error;
            _absoluteErrorSum[p] += Math.Abs(error);

            long count = ++_count[p];
            double deviationBefore = y - _labelMean[p];
            _labelMean[p] += deviationBefore / count;
            _labelSquaredDeviationSum[p] += deviationBefore * (y - _labelMean[p]);
        }
    }

    /// <summary>The metrics of every sequence added so far; at least one must have been added.</summary>
    public SequenceRegressionMetrics ToMetrics()
    {
        if (_sequenceCount == 0)
            throw new InvalidOperationException("No sequences were added.");

        var squaredErrorPerStep = new double[_horizon];
        var absoluteErrorPerStep = new double[_horizon];
        var squaredErrorPerFeature = new double[_outputFeatureCount];
        var absoluteErrorPerFeature = new double[_outputFeatureCount];
        var valuesPerStep = new double[_horizon];
        var valuesPerFeature = new double[_outputFeatureCount];
        double squaredErrorTotal = 0, absoluteErrorTotal = 0, labelSquaredDeviationTotal = 0, elementCount = 0;
        for (int h = 0; h < _horizon; h++)
        {
            for (int f = 0; f < _outputFeatureCount; f++)
            {
                int p = h * _outputFeatureCount + f;
                squaredErrorPerStep[h] += _squaredErrorSum[p];
                absoluteErrorPerStep[h] += _absoluteErrorSum[p];
                squaredErrorPerFeature[f] += _squaredErrorSum[p];
                absoluteErrorPerFeature[f] += _absoluteErrorSum[p];
                valuesPerStep[h] += _count[p];
                valuesPerFeature[f] += _count[p];
                squaredErrorTotal += _squaredErrorSum[p];
                absoluteErrorTotal += _absoluteErrorSum[p];
                labelSquaredDeviationTotal += _labelSquaredDeviationSum[p];
                elementCount += _count[p];
            }
        }

        // A step no sequence reached has no error to report: NaN says so rather than a misleading 0.
        Divide(squaredErrorPerStep, valuesPerStep);
        Divide(absoluteErrorPerStep, valuesPerStep);
        Divide(squaredErrorPerFeature, valuesPerFeature);
        Divide(absoluteErrorPerFeature, valuesPerFeature);

        return new SequenceRegressionMetrics(
            _sequenceCount,
            squaredErrorTotal / elementCount,
            absoluteErrorTotal / elementCount,
            RSquared(squaredErrorTotal, labelSquaredDeviationTotal),
            Array.AsReadOnly(squaredErrorPerStep),
            Array.AsReadOnly(absoluteErrorPerStep),
            Array.AsReadOnly(squaredErrorPerFeature),
            Array.AsReadOnly(absoluteErrorPerFeature));
    }

    /// <summary>
    /// 1 − SSE / SST. When every position's labels are constant (SST = 0) the ratio is undefined; then a perfect
    /// prediction scores 1 and any error scores 0 (sklearn's <c>force_finite</c> choice), never NaN or −∞.
    /// </summary>
    private static double RSquared(double squaredErrorTotal, double labelSquaredDeviationTotal)
    {
        if (labelSquaredDeviationTotal > 0)
            return 1 - squaredErrorTotal / labelSquaredDeviationTotal;
        return squaredErrorTotal == 0 ? 1 : 0;
    }

    private static void Divide(double[] values, double[] counts)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = counts[i] > 0 ? values[i] / counts[i] : double.NaN;
    }
}
