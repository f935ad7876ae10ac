using System.Collections.Generic;
using System.Linq;

namespace MLNetSeq2Seq.Selection;

/// <summary>The candidates a Fit reports (<see cref="TrainingHistory.Candidates"/>): the model search's networks, then
/// the baseline comparison's, where the comparison's "network" is the search's winner under its own name.</summary>
internal static class SearchSummary
{
    public static IReadOnlyList<ModelCandidate> Merge(IReadOnlyList<ModelCandidate> searched, string? winner, IReadOnlyList<ModelCandidate> compared)
    {
        if (searched.Count == 0)
            return compared;
        if (compared.Count == 0)
            return searched;
        // The winner is compared with the baselines: it is kept only when the comparison kept "network".
        bool networkKept = compared.Any(c => c.Name == BaselineSelection.Network && c.Kept);
        return searched.Select(c => c with { Kept = c.Name == winner && networkKept })
            .Concat(compared.Where(c => c.Name != BaselineSelection.Network))
            .ToArray();
    }

    /// <summary>The Fit's decision in words (<see cref="TrainingHistory.Selection"/>): the search's, then the comparison's
    /// (each as logged); null when there was neither.</summary>
    public static string? Decision(string? search, string? comparison) =>
        search is null ? comparison : comparison is null ? search : $"{search} Then the {nameof(Seq2SeqOptions.BaselineComparison)}: {comparison}";
}
