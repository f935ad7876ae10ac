using System;

namespace MLNetSeq2Seq.Networks;

/// <summary>The options only the autoregressive encoder-decoder uses, refused by the families that have no use for
/// them, each with the option named and the family's reason.</summary>
internal static class EncoderDecoderOptionChecks
{
    /// <summary>Throws when <paramref name="options"/> sets Bidirectional, Attention or ResidualDecoding.
    /// <paramref name="encoderReason"/> and <paramref name="decoderReason"/> say why, e.g. "its encoder reads forwards".</summary>
    public static void RefuseFor(NetworkFamily family, Seq2SeqOptions options, string encoderReason, string decoderReason)
    {
        string name = $"{nameof(NetworkFamily)}.{family}";
        if (options.Bidirectional)
            throw new ArgumentException($"{nameof(Seq2SeqOptions.Bidirectional)} = true does not apply to {name} ({encoderReason}); set it to false.", nameof(Seq2SeqOptions.Bidirectional));
        if (options.Attention != AttentionKind.None)
            throw new ArgumentException($"{nameof(Seq2SeqOptions.Attention)} = {options.Attention} does not apply to {name} ({decoderReason}); set it to None.", nameof(Seq2SeqOptions.Attention));
        if (options.ResidualDecoding)
            throw new ArgumentException($"{nameof(Seq2SeqOptions.ResidualDecoding)} does not apply to {name}; use {nameof(Seq2SeqOptions.InstanceNormalization)} = SubtractLast for the same idea.", nameof(Seq2SeqOptions.ResidualDecoding));
    }
}
