using System;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// The training loss of a model with quantile levels: <c>pointWeight × point loss + mean over levels of the pinball
/// loss</c>, each summed over the real label values (callers divide by their count). The pinball loss of level τ at a
/// label y and a quantile forecast q is max(τ·(y − q), (τ − 1)·(y − q)). The one place that knows about quantiles in
/// training; without levels it is the point loss alone.
/// </summary>
internal sealed record QuantileLoss(PointLoss Point, double PointWeight, double[] Levels)
{
    public static QuantileLoss TrainingLossOf(Seq2SeqOptions options) =>
        new(PointLoss.TrainingLossOf(options), options.Quantiles?.PointLossWeight ?? 1.0, options.Quantiles?.Levels ?? Array.Empty<double>());

    /// <summary>A point-only loss.</summary>
    public static implicit operator QuantileLoss(PointLoss point) => new(point, 1.0, Array.Empty<double>());

    /// <summary>Short name for logs: "MSE", "1×MAE + pinball(0.1,0.5,0.9)".</summary>
    public string Name => Levels.Length == 0 ? Point.Name
        : FormattableString.Invariant($"{PointWeight:G4}×{Point.Name} + pinball({string.Join(",", Levels)})");

    /// <summary>Σ over real label values; <paramref name="quantiles"/> (N, H, O, Q) or null for a point-only network.</summary>
    public Tensor Sum(Tensor point, Tensor? quantiles, Tensor labels, Tensor? mask)
    {
        if (Levels.Length == 0 || quantiles is null)
            return Point.Sum(point, labels, mask);
        Tensor pinball = PinballSum(quantiles, labels, mask, Levels);
        Tensor mean = DividedBy(pinball, Levels.Length);
        return PointWeight == 0 ? mean : Plus(Times(Point.Sum(point, labels, mask), PointWeight), mean);
    }

    /// <summary>Σ over levels and real label values of the pinball loss; <paramref name="quantiles"/> (N, H, O, Q).</summary>
    public static Tensor PinballSum(Tensor quantiles, Tensor labels, Tensor? mask, double[] levels)
    {
        Tensor tau = tensor(levels, dtype: quantiles.dtype, device: quantiles.device);
        Tensor error = labels.unsqueeze(3) - quantiles;
        Tensor loss = maximum(error * tau, error * Minus(tau, 1.0));
        return (mask is null ? loss : loss * mask.unsqueeze(3)).sum();
    }
}
