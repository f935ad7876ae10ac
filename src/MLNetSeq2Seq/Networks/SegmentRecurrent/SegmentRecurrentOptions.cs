using static MLNetSeq2Seq.OptionRules;

namespace MLNetSeq2Seq;

/// <summary>
/// The settings of <see cref="NetworkFamily.SegmentRecurrent"/> (after SegRNN, Lin et al. 2023), given through
/// <see cref="Seq2SeqOptions.FamilyOptions"/>; a new instance holds the family's defaults, which are also the forecasting
/// recipe's, so <see cref="Seq2SeqForecastingOptions"/> needs none.
/// </summary>
public sealed class SegmentRecurrentOptions : INetworkFamilyOptions
{
    /// <inheritdoc/>
    public NetworkFamily Family => NetworkFamily.SegmentRecurrent;

    /// <summary>Steps per segment (w), at least 1. L and Horizon need not be multiples of it (the input is padded at the
    /// front, the forecast cropped). Default 24.</summary>
    public int SegmentLength { get; set; } = 24;

    /// <summary>Throws <see cref="System.ArgumentOutOfRangeException"/> naming the first setting out of range by its path
    /// (for example "FamilyOptions.SegmentLength").</summary>
    public void Validate()
    {
        RequirePositive(SegmentLength, $"{nameof(Seq2SeqOptions.FamilyOptions)}.{nameof(SegmentLength)}");
    }
}
