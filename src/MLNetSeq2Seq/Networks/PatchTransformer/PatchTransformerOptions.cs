using System;

namespace MLNetSeq2Seq;

/// <summary>
/// The settings of <see cref="NetworkFamily.PatchTransformer"/> (after PatchTST, Nie et al. 2023), given through
/// <see cref="Seq2SeqOptions.FamilyOptions"/>; a new instance holds the family's defaults, a small model that trains in
/// minutes on a CPU. The family uses these instead of <see cref="Seq2SeqOptions.HiddenSize"/>,
/// <see cref="Seq2SeqOptions.LayerCount"/> and <see cref="Seq2SeqOptions.Cell"/>; dropout (<see cref="Dropout"/>, else
/// <see cref="Seq2SeqOptions.Dropout"/>) applies after the patch embedding, inside each encoder layer and before the head.
/// </summary>
public sealed class PatchTransformerOptions : INetworkFamilyOptions
{
    /// <inheritdoc/>
    public NetworkFamily Family => NetworkFamily.PatchTransformer;

    /// <summary>Steps per patch (P): each patch of P steps becomes one token. At most the window length. Default 16.</summary>
    public int PatchLength { get; set; } = 16;

    /// <summary>Steps between the starts of consecutive patches (S); the window is padded at its end by repeating its last
    /// step S times, so there are ⌊(L − P)/S⌋ + 2 patches. Default 8.</summary>
    public int PatchStride { get; set; } = 8;

    /// <summary>Values per token (d_model). Default 16.</summary>
    public int ModelSize { get; set; } = 16;

    /// <summary>Attention heads per encoder layer; must divide <see cref="ModelSize"/>. Default 4.</summary>
    public int HeadCount { get; set; } = 4;

    /// <summary>Encoder layers. Default 3.</summary>
    public int LayerCount { get; set; } = 3;

    /// <summary>Hidden values of each encoder layer's feed-forward block. Default 128.</summary>
    public int FeedForwardSize { get; set; } = 128;

    /// <summary>Dropout probability for this family, in [0, 1); null (the default) takes <see cref="Seq2SeqOptions.Dropout"/>
    /// (the forecasting recipe's 0.5 is tuned for the segment-recurrent network; PatchTST used 0.2–0.3).</summary>
    public double? Dropout { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        Positive(PatchLength, nameof(PatchLength));
        Positive(PatchStride, nameof(PatchStride));
        Positive(ModelSize, nameof(ModelSize));
        Positive(HeadCount, nameof(HeadCount));
        Positive(LayerCount, nameof(LayerCount));
        Positive(FeedForwardSize, nameof(FeedForwardSize));
        if (Dropout is double dropout)
            OptionRules.RequireRange(dropout, $"{nameof(Seq2SeqOptions.FamilyOptions)}.{nameof(Dropout)}", 0, 1, upperInclusive: false);
        if (ModelSize % HeadCount != 0)
            throw new ArgumentOutOfRangeException($"{nameof(Seq2SeqOptions.FamilyOptions)}.{nameof(HeadCount)}", HeadCount,
                $"{nameof(PatchTransformerOptions)}.{nameof(HeadCount)} ({HeadCount}) must divide {nameof(ModelSize)} ({ModelSize}): each head reads {nameof(ModelSize)} / {nameof(HeadCount)} values.");
    }

    private static void Positive(int value, string name)
    {
        if (value < 1 || value > 1 << 20)
            throw new ArgumentOutOfRangeException($"{nameof(Seq2SeqOptions.FamilyOptions)}.{name}", value,
                $"{nameof(PatchTransformerOptions)}.{name} must be in [1, {1 << 20}] (it is {value}).");
    }
}
