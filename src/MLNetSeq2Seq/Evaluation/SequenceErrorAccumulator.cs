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
    }

    public long SequenceCount => _sequenceCount;

    /// <summary>Adds one sequence. Both spans hold Horizon × OutputFeatureCount finite values, time-major.</summary>
    public void Add(ReadOnlySpan<float> label, ReadOnlySpan<float> score)
    {
        if (label.Length != _squaredErrorSum.Length || score.Length != _squaredErrorSum.Length)
            throw new ArgumentException(
                $"Expected {_squaredErrorSum.Length} label and score values, got {label.Length} and {score.Length}.");

        _sequenceCount++;
        double inverseCount = 1.0 / _sequenceCount;
        for (int p = 0; p < label.Length; p++)
        {
            double y = label[p];
            double error = score[p] - y;
            _squaredErrorSum[p] += error * error;
            _absoluteErrorSum[p] += Math.Abs(error);

            double deviationBefore = y - _labelMean[p];
            _labelMean[p] += deviationBefore * inverseCount;
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
        double squaredErrorTotal = 0, absoluteErrorTotal = 0, labelSquaredDeviationTotal = 0;
        for (int h = 0; h < _horizon; h++)
        {
            for (int f = 0; f < _outputFeatureCount; f++)
            {
                int p = h * _outputFeatureCount + f;
                squaredErrorPerStep[h] += _squaredErrorSum[p];
                absoluteErrorPerStep[h] += _absoluteErrorSum[p];
                squaredErrorPerFeature[f] += _squaredErrorSum[p];
                absoluteErrorPerFeature[f] += _absoluteErrorSum[p];
                squaredErrorTotal += _squaredErrorSum[p];
                absoluteErrorTotal += _absoluteErrorSum[p];
                labelSquaredDeviationTotal += _labelSquaredDeviationSum[p];
            }
        }

        double count = _sequenceCount;
        Scale(squaredErrorPerStep, 1.0 / (count * _outputFeatureCount));
        Scale(absoluteErrorPerStep, 1.0 / (count * _outputFeatureCount));
        Scale(squaredErrorPerFeature, 1.0 / (count * _horizon));
        Scale(absoluteErrorPerFeature, 1.0 / (count * _horizon));
        double elementCount = count * _horizon * _outputFeatureCount;

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

    private static void Scale(double[] values, double factor)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] *= factor;
    }
}
