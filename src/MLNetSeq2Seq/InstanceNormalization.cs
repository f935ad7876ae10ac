namespace MLNetSeq2Seq;

/// <summary>
/// Per-window normalisation of the inputs, inverted on the outputs: the statistics come from each input window
/// alone (nothing from other windows or the future), and each output is un-normalised with the statistics of the
/// input column it forecasts (see <see cref="Seq2SeqOptions.TargetInputIndices"/>).
/// </summary>
public enum InstanceNormalization
{
    /// <summary>The network sees the values as they are (default of <c>Regression.Trainers.Seq2Seq</c>).</summary>
    None,

    /// <summary>Subtract each column's last observed value (NLinear, SegRNN) and add it back to the forecast. Default of <c>Forecasting.Seq2Seq</c>.</summary>
    SubtractLast,

    /// <summary>Standardize each column by the window's own mean and standard deviation (RevIN); optionally followed
    /// by a learned affine map per column (<see cref="Seq2SeqOptions.InstanceNormalizationAffine"/>).</summary>
    Standardize,
}
