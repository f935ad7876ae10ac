namespace MLNetSeq2Seq;

/// <summary>
/// The settings that belong to one network family, given through <see cref="Seq2SeqOptions.FamilyOptions"/>. Each family
/// that has settings of its own defines one such type in its folder; its property initializers are the family's defaults.
/// </summary>
public interface INetworkFamilyOptions
{
    /// <summary>The family these settings belong to; it must equal <see cref="Seq2SeqOptions.Family"/>.</summary>
    NetworkFamily Family { get; }
}
