using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MLNetSeq2Seq;

/// <summary>
/// One report of Fit's model selection to <see cref="Seq2SeqOptions.SelectionProgress"/>: a candidate of
/// <see cref="Seq2SeqOptions.Search"/> or of <see cref="Seq2SeqOptions.BaselineComparison"/> as soon as it has a
/// validation score (<see cref="Scored"/> set, <see cref="Decision"/> null), then once, at the end, the decision
/// (<see cref="Scored"/> null, <see cref="Decision"/> set, <see cref="Candidates"/> with the kept one marked).
/// </summary>
/// <param name="Scored">The candidate just scored on the validation windows (its <see cref="ModelCandidate.Kept"/> is
/// false until the decision); null on the decision.</param>
/// <param name="Candidates">Every candidate scored so far, in the order they were scored; on the decision, every candidate
/// of the Fit as <see cref="TrainingHistory.Candidates"/> holds them.</param>
/// <param name="Decision">Why the kept model won, in the words of <see cref="TrainingHistory.Selection"/>; null until the decision.</param>
public sealed record SelectionReport(ModelCandidate? Scored, IReadOnlyList<ModelCandidate> Candidates, string? Decision)
{
    /// <summary>Whether this is the last report of the Fit: the decision.</summary>
    public bool IsDecision => Decision is not null;

    /// <summary>The kept candidate on the decision (null when no candidate is marked kept, or before the decision).</summary>
    public ModelCandidate? Kept => IsDecision ? Candidates.FirstOrDefault(c => c.Kept) : null;

    /// <inheritdoc />
    public override string ToString() => Scored is ModelCandidate candidate
        ? string.Create(CultureInfo.InvariantCulture, $"candidate {Candidates.Count}: {candidate.Name}, validation {candidate.ValidationMetric:G4}, fit {candidate.FitTime.TotalSeconds:F1} s")
        : $"kept {Kept?.Name ?? "the network"}: {Decision}";

    // The report of a candidate just scored, after those already reported.
    internal static SelectionReport Of(ModelCandidate scored, IReadOnlyList<ModelCandidate> before) =>
        new(scored, before.Append(scored).ToArray(), Decision: null);
}
