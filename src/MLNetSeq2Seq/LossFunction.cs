namespace MLNetSeq2Seq;

/// <summary>A point-wise loss between predicted and true values, averaged over every real label value.</summary>
public enum LossFunction
{
    /// <summary>Mean squared error (default).</summary>
    MeanSquaredError,

    /// <summary>Mean absolute error: less pulled by outliers; its optimum is the median.</summary>
    MeanAbsoluteError,

    /// <summary>Huber loss with threshold δ (<see cref="Seq2SeqOptions.HuberDelta"/>): ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond.</summary>
    Huber,
}
