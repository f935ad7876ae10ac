namespace MLNetSeq2Seq;

/// <summary>Attention of the decoder over the encoder's outputs.</summary>
public enum AttentionKind
{
    /// <summary>No attention (default): the decoder sees the input only through the encoder's final state.</summary>
    None,

    /// <summary>Scaled dot-product (Luong "dot") attention: score = keyᵀ·query / √hidden.</summary>
    Dot,

    /// <summary>Additive (Bahdanau) attention: score = vᵀ·tanh(W·key + U·query).</summary>
    Additive,
}
