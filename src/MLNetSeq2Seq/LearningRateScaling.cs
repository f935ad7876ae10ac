namespace MLNetSeq2Seq;

/// <summary>
/// How the learning rate follows the batch size. A learning rate tuned at <see cref="Seq2SeqOptions.ReferenceBatchSize"/>
/// is scaled when <see cref="Seq2SeqOptions.BatchSize"/> (the effective batch) differs; the micro-batch size never
/// changes it.
/// </summary>
public enum LearningRateScaling
{
    /// <summary>Default. The learning rate is used as given, whatever the batch size.</summary>
    None,

    /// <summary>lr × BatchSize / ReferenceBatchSize (Goyal et al., 2017): the usual rule for SGD-like updates.</summary>
    Linear,

    /// <summary>lr × √(BatchSize / ReferenceBatchSize): the rule that keeps the gradient-noise scale for Adam-type optimizers.</summary>
    SquareRoot,
}
