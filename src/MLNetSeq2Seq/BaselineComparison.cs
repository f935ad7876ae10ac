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

    /// <summary>Keep the network, and log a warning when Select would keep a baseline.</summary>
    Warn,

    /// <summary>Keep the simplest candidate (persistence, then linear, then the network) whose mean validation score by
    /// <see cref="EarlyStoppingOptions.Metric"/> is within one standard error of the best candidate's: the
    /// one-standard-error rule, with the error of the per-window difference taken over the means of blocks of
    /// ⌈H / stride⌉ consecutive windows (the windows that share label steps; H when the stride is unknown), since
    /// overlapping windows are strongly correlated. With fewer than four such blocks there is no error, the network's
    /// score (which early stopping already used) cannot be checked, and the better baseline is kept. A network that is
    /// better only by noise of a small validation set does not displace a baseline. A baseline that wins is returned as
    /// a real model: a <see cref="NetworkFamily.Linear"/> network with subtract-last normalisation and channel
    /// independence (zero weights for persistence), saved, loaded and exported like any other. When the options ask for
    /// what a baseline cannot give (quantiles, known-future inputs), Fit keeps the network and warns instead. Default of
    /// <c>Forecasting.Seq2Seq</c>.</summary>
    Select,
}
