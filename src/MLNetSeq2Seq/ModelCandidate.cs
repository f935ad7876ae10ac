namespace MLNetSeq2Seq;

/// <summary>One candidate of <see cref="Seq2SeqOptions.BaselineComparison"/>: its name ("network", "persistence",
/// "linear"), its score on the validation windows by <see cref="Seq2SeqOptions.EarlyStoppingMetric"/>, and whether Fit
/// returned it.</summary>
public sealed record ModelCandidate(string Name, double ValidationMetric, bool Kept);
