using System;

namespace MLNetSeq2Seq;

/// <summary>One candidate of <see cref="Seq2SeqOptions.BaselineComparison"/>: its name ("persistence"; "linear" over the
/// whole window or "linear, last 48 steps" over a shorter lookback; "network"), its score on the validation windows by
/// <see cref="EarlyStoppingOptions.Metric"/>, whether Fit returned it, and what fitting it took (wall time):
/// the training loop for the network, the one pass over the training rows that every linear candidate shares plus its
/// own solve, zero for persistence. Scoring on the validation windows is not included.</summary>
public sealed record ModelCandidate(string Name, double ValidationMetric, bool Kept, TimeSpan FitTime);
