using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLNetSeq2Seq.Networks.Autoregressive;
using MLNetSeq2Seq.Networks.LinearMap;
using MLNetSeq2Seq.Networks.PatchTransformer;
using MLNetSeq2Seq.Networks.SegmentRecurrent;

// The registry of network families, both halves in one file: the public value that names each family, and the list of
// their descriptors. Adding a family is a folder under Networks/ with its INetworkFamily, plus one value and one line here.

namespace MLNetSeq2Seq
{
    /// <summary>Which network the trainer builds. Every family reads (N, L, F) and predicts (N, Horizon, O); the training loop, the scorer and the model file do not know which they hold.</summary>
    public enum NetworkFamily
    {
        /// <summary>
        /// A GRU/LSTM encoder over every input step and a decoder of the same cell that predicts the horizon one step at
        /// a time, each step fed the previous prediction (teacher forcing in training); optional attention. The general
        /// sequence-to-sequence network (default of <c>Regression.Trainers.Seq2Seq</c>). Its settings are
        /// <see cref="AutoregressiveOptions"/> (<see cref="Seq2SeqOptions.FamilyOptions"/>).
        /// </summary>
        AutoregressiveEncoderDecoder,

        /// <summary>
        /// Segment-recurrent encoder with a parallel multi-step decoder (after SegRNN, Lin et al. 2023): the input is cut
        /// into segments of <see cref="SegmentRecurrentOptions.SegmentLength"/> steps, each embedded by Linear(w·F → d) + ReLU, and
        /// the GRU/LSTM steps over segments (L/w steps instead of L). The decoder makes one recurrent step from the
        /// encoder's final state per output segment, all segments at once, each told which segment it is by a learned
        /// position embedding (and, with channel independence, a learned channel embedding), then Dropout and
        /// Linear(d → w·O). An input whose length is not a multiple of w is padded at the front by repeating its first
        /// step; the decoder predicts ⌈H/w⌉·w steps and the first H are kept. Inputs must be full length (no padding).
        /// Its settings are <see cref="SegmentRecurrentOptions"/> (<see cref="Seq2SeqOptions.FamilyOptions"/>).
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

        /// <summary>
        /// A patch Transformer encoder with a flatten head (after PatchTST, Nie et al. 2023): the last L steps are cut into
        /// patches of P steps, S apart (the end padded by repeating the last step), each patch embedded as one token with a
        /// learned position, a small pre-norm Transformer encoder over the tokens, and one linear map from all tokens to the
        /// forecast. Use with channel independence and instance normalisation (the forecasting recipe's), as PatchTST does.
        /// Its settings are <see cref="PatchTransformerOptions"/> (<see cref="Seq2SeqOptions.FamilyOptions"/>); its head is
        /// shaped by the window length L, so every window must have at least L steps. Takes no known-future inputs.
        /// </summary>
        PatchTransformer,
    }
}

namespace MLNetSeq2Seq.Networks
{
    /// <summary>The registry of network families: the one place that lists them. Adding a family is a folder under
    /// Networks/ with its <see cref="INetworkFamily"/>, plus its value in <see cref="NetworkFamily"/> above and one line
    /// here.</summary>
    internal static class NetworkFamilies
    {
        private static readonly INetworkFamily[] s_families =
        {
            new AutoregressiveFamily(),
            new SegmentRecurrentFamily(),
            new LinearFamily(),
            new PatchTransformerFamily(),
        };

        private static readonly Dictionary<NetworkFamily, INetworkFamily> s_byId = s_families.ToDictionary(f => f.Id);

        /// <summary>Every registered family.</summary>
        public static IReadOnlyList<INetworkFamily> All => s_families;

        /// <summary>The descriptor of <paramref name="family"/>; an unregistered value is an error, never a default.</summary>
        public static INetworkFamily Get(NetworkFamily family) =>
            s_byId.TryGetValue(family, out INetworkFamily? descriptor)
                ? descriptor
                : throw new ArgumentOutOfRangeException(nameof(family), family, $"{nameof(NetworkFamily)} {family} is not a registered network family; use one of {string.Join(", ", s_families.Select(f => f.Id))}.");

        /// <summary>The descriptor of <paramref name="options"/>' family, after checking that its
        /// <see cref="Seq2SeqOptions.FamilyOptions"/> (when set) belong to that family.</summary>
        public static INetworkFamily Of(Seq2SeqOptions options)
        {
            INetworkFamily family = Get(options.Family);
            if (options.FamilyOptions is { } settings && settings.Family != options.Family)
                throw new ArgumentException($"{nameof(Seq2SeqOptions.FamilyOptions)} holds a {settings.GetType().Name}, the settings of {nameof(NetworkFamily)}.{settings.Family}, but {nameof(Seq2SeqOptions.Family)} = {options.Family}: "
                    + $"set {nameof(Seq2SeqOptions.Family)} = {nameof(NetworkFamily)}.{settings.Family}, or clear {nameof(Seq2SeqOptions.FamilyOptions)}.", nameof(Seq2SeqOptions.FamilyOptions));
            return family;
        }

        /// <summary>The first of <paramref name="settings"/> that belongs to <paramref name="family"/>; null when none does.</summary>
        public static INetworkFamilyOptions? SettingsOf(NetworkFamily family, IEnumerable<INetworkFamilyOptions?> settings) =>
            settings.FirstOrDefault(s => s is not null && s.Family == family);

        /// <summary>As <see cref="Get"/>, for values read from a file: an unknown family is <see cref="InvalidDataException"/>.</summary>
        public static INetworkFamily Read(NetworkFamily family) =>
            s_byId.TryGetValue(family, out INetworkFamily? descriptor)
                ? descriptor
                : throw new InvalidDataException($"network family {(int)family} is not known to this MLNetSeq2Seq");
    }
}
