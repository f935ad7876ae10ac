namespace MLNetSeq2Seq.Training;

/// <summary>Tracks the best validation loss and says when patience has run out.</summary>
internal sealed class EarlyStopping
{
    private readonly int _patience;
    private readonly double _minDelta;
    private int _epochsWithoutImprovement;

    public EarlyStopping(int patience, double minDelta)
    {
        _patience = patience;
        _minDelta = minDelta;
    }

    /// <summary>Continues from a checkpoint's state.</summary>
    public EarlyStopping(int patience, double minDelta, (double BestLoss, int BestEpoch, int EpochsWithoutImprovement) state)
        : this(patience, minDelta)
    {
        (BestLoss, BestEpoch, _epochsWithoutImprovement) = state;
    }

    public (double BestLoss, int BestEpoch, int EpochsWithoutImprovement) State => (BestLoss, BestEpoch, _epochsWithoutImprovement);

    public double BestLoss { get; private set; } = double.PositiveInfinity;

    public int BestEpoch { get; private set; }

    public bool ShouldStop => _epochsWithoutImprovement >= _patience;

    /// <summary>Records an epoch's loss; returns true when it is a new best (by more than the minimum delta).</summary>
    public bool Observe(int epoch, double loss)
    {
        if (loss < BestLoss - _minDelta)
        {
            BestLoss = loss;
            BestEpoch = epoch;
            _epochsWithoutImprovement = 0;
            return true;
        }
        _epochsWithoutImprovement++;
        return false;
    }
}
