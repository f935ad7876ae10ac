using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetSeq2Seq.Windows;

/// <summary>The value columns to read, each with the option that named it first (for error messages).</summary>
internal sealed record SeriesColumnRequest(string Name, string Option)
{
    /// <summary>The input columns, then the target columns not among them, then the known-future columns not among those.</summary>
    public static IReadOnlyList<SeriesColumnRequest> For(SequenceWindowOptions options)
    {
        var requests = options.InputColumnNames.Select(n => new SeriesColumnRequest(n, nameof(SequenceWindowOptions.InputColumnNames))).ToList();
        foreach (string target in options.EffectiveTargetColumnNames)
            if (!requests.Any(r => r.Name == target))
                requests.Add(new SeriesColumnRequest(target, nameof(SequenceWindowOptions.TargetColumnNames)));
        foreach (string future in options.FutureColumnNames ?? Array.Empty<string>())
            if (!requests.Any(r => r.Name == future))
                requests.Add(new SeriesColumnRequest(future, nameof(SequenceWindowOptions.FutureColumnNames)));
        return requests;
    }
}
