using System;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Training;

/// <summary>A point-wise loss (MSE, MAE or Huber) summed over the real label values; callers divide by the count.</summary>
internal readonly record struct PointLoss(LossFunction Function, double HuberDelta)
{
    public static PointLoss TrainingLossOf(Seq2SeqOptions options) => new(options.Loss, options.HuberDelta);

    public static PointLoss EarlyStoppingMetricOf(Seq2SeqOptions options) => new(options.EarlyStopping.Metric, options.HuberDelta);

    /// <summary>Short name for logs: "MSE", "MAE", "Huber(δ=1)".</summary>
    public string Name => Function switch
    {
        LossFunction.MeanSquaredError => "MSE",
        LossFunction.MeanAbsoluteError => "MAE",
        _ => FormattableString.Invariant($"Huber(δ={HuberDelta:G4})"),
    };

    /// <summary>Σ loss(prediction − label) over real label values (mask: 1 real, 0 padding).</summary>
    public Tensor Sum(Tensor prediction, Tensor labels, Tensor? mask)
    {
        Tensor pointwise = Pointwise(prediction - labels);
        return (mask is null ? pointwise : pointwise * mask).sum();
    }

    /// <summary>Each row's mean loss over its (full-length) label values: (N) from (N, H, O).</summary>
    public Tensor MeanPerRow(Tensor prediction, Tensor labels) =>
        Pointwise(prediction - labels).reshape(prediction.shape[0], -1).mean(new long[] { 1 });

    private Tensor Pointwise(Tensor error) => Function switch
    {
        LossFunction.MeanSquaredError => Power(error, 2),
        LossFunction.MeanAbsoluteError => error.abs(),
        _ => Huber(error),
    };

    private Tensor Huber(Tensor error)
    {
        Tensor absolute = error.abs();
        return torch.where(AtMost(absolute, HuberDelta), Times(Power(error, 2), 0.5), Times(Minus(absolute, 0.5 * HuberDelta), HuberDelta));
    }
}
