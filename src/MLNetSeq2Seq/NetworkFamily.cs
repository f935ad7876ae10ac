namespace MLNetSeq2Seq;

/// <summary>Which network the trainer builds. Both read (N, L, F) and predict (N, Horizon, O); the training loop does not know which it trains.</summary>
public enum NetworkFamily
{
    /// <summary>
    /// A GRU/LSTM encoder over every input step and a decoder of the same cell that predicts the horizon one step at
    /// a time, each step fed the previous prediction (teacher forcing in training); optional attention. The general
    /// sequence-to-sequence network (default of <c>Regression.Trainers.Seq2Seq</c>).
    /// </summary>
    AutoregressiveEncoderDecoder,

    /// <summary>
    /// Segment-recurrent encoder with a parallel multi-step decoder (after SegRNN, Lin et al. 2023): the input is cut
    /// into segments of <see cref="Seq2SeqOptions.SegmentLength"/> steps, each embedded by Linear(w·F → d) + ReLU, and
    /// the GRU/LSTM steps over segments (L/w steps instead of L). The decoder makes one recurrent step from the
    /// encoder's final state per output segment, all segments at once, each told which segment it is by a learned
    /// position embedding (and, with channel independence, a learned channel embedding), then Dropout and
    /// Linear(d → w·O). An input whose length is not a multiple of w is padded at the front by repeating its first
    /// step; the decoder predicts ⌈H/w⌉·w steps and the first H are kept. Inputs must be full length (no padding).
    /// Default of <c>Forecasting.Seq2Seq</c>.
    /// </summary>
    SegmentRecurrent,

    /// <summary>
    /// One linear map from the look-back window to the forecast (after NLinear/RLinear, Zeng et al. 2023 and Li et al.
    /// 2023): with channel independence a Linear(L → H) shared by every channel, otherwise Linear(L·F → H·O); with
    /// instance normalisation SubtractLast this is NLinear, with Standardize RLinear. Its weights are shaped by the window
    /// length L, so every window (training and scoring) must have that length. Uses none of the recurrent options
    /// (HiddenSize, LayerCount, Cell and Dropout are ignored) and takes no known-future inputs.
    /// </summary>
    Linear,
}
