using System;
using System.Linq;

namespace MLNetSeq2Seq;

/// <summary>
/// The opt-in model search of <see cref="Seq2SeqOptions.Search"/>: Fit trains one network per family and lookback, in
/// turn, on the same training rows, scores each on the validation rows by
/// <see cref="EarlyStoppingOptions.Metric"/>, and keeps the best (which then meets the baselines as
/// <see cref="Seq2SeqOptions.BaselineComparison"/> says). A family that can read the last L′ steps of a window is trained
/// at every lookback: those whose weights are shaped by the window length (<see cref="NetworkFamily.PatchTransformer"/>,
/// <see cref="NetworkFamily.Linear"/>) and <see cref="NetworkFamily.SegmentRecurrent"/>, whose kept model then records
/// its lookback and reads only that many steps; <see cref="NetworkFamily.AutoregressiveEncoderDecoder"/>, which reads
/// rows of any length, is trained once, over the whole window.
/// Candidates run shortest lookback first. Each candidate takes its family's settings from <see cref="FamilySettings"/>
/// (or <see cref="Seq2SeqOptions.FamilyOptions"/> when they belong to it, else the family's defaults); every other option
/// is shared. Cut the windows with the longest lookback you allow: the search never reads more steps than the windows hold.
/// </summary>
public sealed class ModelSearchOptions
{
    /// <summary>The families to try, in this order. Default: SegmentRecurrent, then PatchTransformer.</summary>
    public NetworkFamily[] Families { get; set; } = { NetworkFamily.SegmentRecurrent, NetworkFamily.PatchTransformer };

    /// <summary>The lookbacks (steps) to try for every family that reads the last L′ steps of a window, each at most the
    /// windows' length. Null (the default): the window length L and ⌊L/2⌋, ⌊L/4⌋ while at least 16 steps.</summary>
    public int[]? Lookbacks { get; set; }

    /// <summary>Settings for the families tried, at most one per family (for example a <see cref="PatchTransformerOptions"/>);
    /// a family without settings here takes <see cref="Seq2SeqOptions.FamilyOptions"/> when they belong to it, else its
    /// defaults. Default empty.</summary>
    public INetworkFamilyOptions[] FamilySettings { get; set; } = Array.Empty<INetworkFamilyOptions>();

    /// <summary>Wall-clock time for the whole search. Once it is spent, the running candidate stops after its current
    /// epoch (keeping its best epoch) and no further candidate starts; the first candidate always trains at least one
    /// epoch. A search resumed from its checkpoints counts the epochs they record as spent. Default 30 minutes.</summary>
    public TimeSpan TimeBudget { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Epochs a candidate trains before it may be abandoned. Default 3.</summary>
    public int AbandonAfterEpochs { get; set; } = 3;

    /// <summary>A candidate is abandoned (stopped, keeping its best epoch) once, after <see cref="AbandonAfterEpochs"/>
    /// epochs, its best validation score is more than this fraction above the best finished candidate's: 0.1 abandons
    /// candidates 10 % worse. Default 0.1.</summary>
    public double AbandonMargin { get; set; } = 0.1;

    /// <summary>Throws <see cref="ArgumentException"/> or <see cref="ArgumentOutOfRangeException"/> naming the first setting
    /// out of range.</summary>
    public void Validate()
    {
        const string prefix = nameof(Seq2SeqOptions.Search) + ".";
        if (Families is null || Families.Length == 0)
            throw new ArgumentException($"{prefix}{nameof(Families)} is empty: name at least one family to train.", prefix + nameof(Families));
        foreach (NetworkFamily family in Families)
            Networks.NetworkFamilies.Get(family);
        if (Families.Distinct().Count() != Families.Length)
            throw new ArgumentException($"{prefix}{nameof(Families)} names a family twice ({string.Join(", ", Families)}).", prefix + nameof(Families));
        if (Lookbacks is int[] lookbacks)
        {
            if (lookbacks.Length == 0 || lookbacks.Any(l => l < 1 || l > 1 << 20))
                throw new ArgumentOutOfRangeException(prefix + nameof(Lookbacks), $"{prefix}{nameof(Lookbacks)} must hold at least one lookback, each in [1, {1 << 20}] steps (it holds {string.Join(", ", lookbacks)}).");
            if (lookbacks.Distinct().Count() != lookbacks.Length)
                throw new ArgumentException($"{prefix}{nameof(Lookbacks)} names a lookback twice ({string.Join(", ", lookbacks)}).", prefix + nameof(Lookbacks));
        }
        if (FamilySettings is null || FamilySettings.Any(f => f is null))
            throw new ArgumentException($"{prefix}{nameof(FamilySettings)} is null or holds null.", prefix + nameof(FamilySettings));
        foreach (var group in FamilySettings.GroupBy(f => f.Family))
        {
            if (group.Count() > 1)
                throw new ArgumentException($"{prefix}{nameof(FamilySettings)} holds {group.Count()} settings for {nameof(NetworkFamily)}.{group.Key}: give one.", prefix + nameof(FamilySettings));
            if (!Families.Contains(group.Key))
                throw new ArgumentException($"{prefix}{nameof(FamilySettings)} holds settings for {nameof(NetworkFamily)}.{group.Key}, which {prefix}{nameof(Families)} does not try.", prefix + nameof(FamilySettings));
        }
        if (!(TimeBudget > TimeSpan.Zero))
            throw new ArgumentOutOfRangeException(prefix + nameof(TimeBudget), TimeBudget, $"{prefix}{nameof(TimeBudget)} must be positive.");
        if (AbandonAfterEpochs < 1)
            throw new ArgumentOutOfRangeException(prefix + nameof(AbandonAfterEpochs), AbandonAfterEpochs, $"{prefix}{nameof(AbandonAfterEpochs)} must be ≥ 1.");
        if (!(AbandonMargin >= 0) || !double.IsFinite(AbandonMargin))
            throw new ArgumentOutOfRangeException(prefix + nameof(AbandonMargin), AbandonMargin, $"{prefix}{nameof(AbandonMargin)} must be a finite number ≥ 0.");
    }

    /// <summary>A copy whose arrays are the caller's no longer.</summary>
    internal ModelSearchOptions Clone() => new()
    {
        Families = (NetworkFamily[])Families.Clone(),
        Lookbacks = (int[]?)Lookbacks?.Clone(),
        FamilySettings = (INetworkFamilyOptions[])FamilySettings.Clone(),
        TimeBudget = TimeBudget,
        AbandonAfterEpochs = AbandonAfterEpochs,
        AbandonMargin = AbandonMargin,
    };
}
