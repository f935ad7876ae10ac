namespace MLNetSeq2Seq;

/// <summary>
/// What Fit does with two baselines scored on the validation windows beside the trained network: persistence (every
/// forecast step repeats the window's last value) and the closed-form linear forecaster (ridge regression of each
/// forecast column on its own window minus its last value, as <c>EvaluateSeq2SeqBaselines</c> computes it). Needs
/// validation data and the input column of every output (<see cref="Seq2SeqOptions.TargetInputIndices"/> or the window
/// view's label); without them Fit says why and keeps the network.
/// </summary>
public enum BaselineComparison
{
    /// <summary>No comparison (default of <c>Regression.Trainers.Seq2Seq</c>).</summary>
    Off,

    /// <summary>Keep the network, and log a warning when a baseline scores better on the validation windows.</summary>
    Warn,

    /// <summary>Keep whichever candidate scores best on the validation windows by
    /// <see cref="Seq2SeqOptions.EarlyStoppingMetric"/> (ties go to the simpler one). A baseline that wins is returned as
    /// a real model: a <see cref="NetworkFamily.Linear"/> network with subtract-last normalisation and channel
    /// independence (zero weights for persistence), saved, loaded and exported like any other. When the options ask for
    /// what a baseline cannot give (quantiles, known-future inputs), Fit keeps the network and warns instead. Default of
    /// <c>Forecasting.Seq2Seq</c>.</summary>
    Select,
}
