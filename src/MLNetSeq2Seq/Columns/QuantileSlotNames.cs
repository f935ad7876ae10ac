using System;
using System.Collections.Generic;
using System.Globalization;

namespace MLNetSeq2Seq.Columns;

/// <summary>Slot names of the quantile column: each Score slot name with its level, "OT@t+1@q0.10", ordered
/// [step, level, output] like the column's values.</summary>
internal static class QuantileSlotNames
{
    /// <summary>The H × Q × O names, or null when the Score column has no slot names or there are no levels.</summary>
    public static IReadOnlyList<string>? Of(IReadOnlyList<string>? scoreSlotNames, double[] levels, int horizon, int outputFeatureCount)
    {
        if (levels.Length == 0 || scoreSlotNames is null || scoreSlotNames.Count != horizon * outputFeatureCount)
            return null;
        var names = new string[horizon * levels.Length * outputFeatureCount];
        int i = 0;
        for (int h = 0; h < horizon; h++)
            foreach (double level in levels)
                for (int o = 0; o < outputFeatureCount; o++)
                    names[i++] = scoreSlotNames[h * outputFeatureCount + o] + "@q" + Level(level);
        return names;
    }

    /// <summary>A level with at least two decimals: 0.1 → "0.10", 0.025 → "0.025".</summary>
    public static string Level(double level) => level.ToString("0.00##########", CultureInfo.InvariantCulture);
}
