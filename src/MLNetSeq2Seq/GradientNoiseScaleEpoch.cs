using System.Globalization;

namespace MLNetSeq2Seq;

/// <summary>
/// The gradient noise scale at the end of one epoch (<see cref="Seq2SeqOptions.GradientNoiseScaleEverySteps"/>): the
/// simple noise scale B_simple = tr(Σ) / |G|² of McCandlish et al. (2018), whose value predicts the critical batch size —
/// below it optimizer steps are dominated by gradient noise, above it extra samples per step are mostly wasted. Both
/// quantities are moving averages over the sampled optimizer steps of the run so far, estimated from the gradient norms
/// of micro-batches and of the accumulated batch.
/// </summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="SimpleNoiseScale">B_simple in samples (windows); null when no step was sampled yet or the estimate of
/// |G|² or of tr(Σ) is not positive (at these batch sizes the two cannot be told apart).</param>
/// <param name="GradientSquaredNorm">The estimate of |G|², the squared norm of the true (full-data) gradient of the training loss.</param>
/// <param name="TraceCovariance">The estimate of tr(Σ), the trace of the per-sample gradient covariance.</param>
/// <param name="SampledSteps">Optimizer steps sampled in this epoch.</param>
/// <param name="SmallBatch">The small batch of the comparison in samples (micro-batch or half batch; the harmonic mean over the
/// micro-batches of a step, averaged over the epoch's sampled steps); 0 when none.</param>
/// <param name="BigBatch">The big batch of the comparison in samples (the step's batch, averaged likewise); 0 when none.</param>
public sealed record GradientNoiseScaleEpoch(int Epoch, double? SimpleNoiseScale, double GradientSquaredNorm, double TraceCovariance, int SampledSteps,
    double SmallBatch, double BigBatch)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"gradient noise scale after epoch {Epoch}: B_simple {(SimpleNoiseScale is double b ? b.ToString("F0", CultureInfo.InvariantCulture) : "n/a")} samples "
        + $"(|G|² {GradientSquaredNorm:G3}, tr Σ {TraceCovariance:G3}; {SampledSteps} sampled steps this epoch, batches {SmallBatch:G3} vs {BigBatch:G3})");
}
