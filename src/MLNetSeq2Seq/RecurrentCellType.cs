namespace MLNetSeq2Seq;

/// <summary>The recurrent cell used by both the encoder and the decoder.</summary>
public enum RecurrentCellType
{
    /// <summary>Gated recurrent unit (default): fewer parameters, usually as good as LSTM on short windows.</summary>
    Gru,

    /// <summary>Long short-term memory: carries a separate cell state.</summary>
    Lstm,
}
