using System;
using MLNetSeq2Seq.Networks.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Networks.SegmentRecurrent;

/// <summary>
/// Segment-recurrent encoder and parallel multi-step decoder (the idea of SegRNN, Lin et al. 2023). The input (N, L, F)
/// is cut into ⌈L/w⌉ segments of w steps (padded at the front by repeating the first step when L is not a multiple of
/// w); each segment's w·F values are embedded by Linear + ReLU into d values, and one GRU/LSTM stack steps over the
/// segments. The decoder runs ⌈H/w⌉ output segments at once: each starts from the encoder's final state and makes one
/// step of the same recurrent stack, fed a learned position embedding of its segment (concatenated, inside
/// <see cref="ChannelIndependentNetwork"/>, with a learned embedding of the row's channel, d/2 each); its output goes
/// through Dropout and Linear(d → w·O). With known-future inputs (K &gt; 0), each output segment's w × K future features
/// (zeros past the horizon) are projected by Linear(w·K → d) and added to its embedding. The first H of the ⌈H/w⌉·w predicted steps are returned. Each output segment
/// depends on the input and on its own embedding only, never on other output segments. With a lookback L′ &gt; 0 in the
/// architecture, only the window's last L′ steps are read (windows shorter than L′ are refused).
/// </summary>
internal sealed class SegmentRecurrentNetwork : SequenceNetwork
{
    // Fields are named like their state-dict keys.
    private readonly DenseLayer segment_embedding;
    private readonly RecurrentStack rnn;
    private readonly Parameter position_embedding;
    private readonly Parameter? channel_embedding;
    private readonly DenseLayer? future_embedding;
    private readonly MaskDropout head_dropout;
    private readonly DenseLayer head;
    private readonly int _segmentLength;
    private readonly int _outputSegments;
    private readonly int _inputs;
    private readonly int _outputs;

    public SegmentRecurrentNetwork(NetworkArchitecture architecture, ModuleRandom random) : base(nameof(SegmentRecurrentNetwork), architecture, random)
    {
        (_inputs, _outputs) = architecture.FamilyFeatureCounts;
        _segmentLength = architecture.SegmentLength;
        _outputSegments = (architecture.Horizon + _segmentLength - 1) / _segmentLength;
        int hidden = architecture.HiddenSize;
        int channelSize = architecture.ChannelIndependent ? hidden / 2 : 0;
        segment_embedding = new DenseLayer(_segmentLength * _inputs, hidden, random);
        rnn = new RecurrentStack(nameof(rnn), architecture.Cell, hidden, hidden, architecture.LayerCount, architecture.Dropout, bidirectional: false, random);
        position_embedding = new Parameter(random.StandardNormal(_outputSegments, hidden - channelSize));
        if (channelSize > 0)
            channel_embedding = new Parameter(random.StandardNormal(architecture.OutputFeatureCount, channelSize));
        if (architecture.FutureFeatureCount > 0)
            future_embedding = new DenseLayer(_segmentLength * architecture.FutureFeatureCount, hidden, random);
        head_dropout = new MaskDropout(architecture.Dropout, random);
        head = new DenseLayer(hidden, _segmentLength * _outputs, random);
        RegisterComponents();
    }

    public override Tensor forward(SequenceInput input)
    {
        var (features, lengths, teacherTargets, teacherForcedSteps, channels, future) = input;
        if (features.dim() != 3 || features.shape[2] != _inputs)
            throw new ArgumentException($"Expected features shaped (N, L, {_inputs}), got ({string.Join(", ", features.shape)}).", nameof(features));
        if (lengths is not null)
            throw new ArgumentException($"The {NetworkFamily.SegmentRecurrent} network needs full-length input windows, but the rows differ in length. "
                + $"Give every row the same number of input steps, or use {nameof(NetworkFamily)}.{NetworkFamily.AutoregressiveEncoderDecoder}, which packs variable-length sequences.", nameof(lengths));
        if (channel_embedding is not null && channels is null)
            throw new ArgumentException("A channel-independent segment network needs each row's channel.", nameof(channels));
        CheckFuture(features, future);
        if (Architecture.Lookback > 0)
            features = RecentSteps(input, Architecture.Lookback, _inputs);

        long rows = features.shape[0], steps = features.shape[1];
        long inputSegments = (steps + _segmentLength - 1) / _segmentLength;
        long padding = inputSegments * _segmentLength - steps;
        if (padding > 0)
            features = torch.cat(new[] { features.narrow(1, 0, 1).expand(rows, padding, _inputs), features }, dim: 1);
        Tensor segments = torch.nn.functional.relu(segment_embedding.call(features.reshape(rows, inputSegments, _segmentLength * _inputs)));
        var (_, encoded) = rnn.Forward(segments, null);

        // Every output segment of every row is one row of a single recurrent step: (N·m, 1, d) from the repeated state.
        int hidden = Architecture.HiddenSize;
        Tensor queries = position_embedding.unsqueeze(0).expand(rows, _outputSegments, -1);
        if (channel_embedding is not null)
        {
            Tensor channel = channel_embedding.index_select(0, channels!).unsqueeze(1).expand(-1, _outputSegments, -1);
            queries = torch.cat(new[] { queries, channel }, dim: 2);
        }
        if (future_embedding is not null)
            queries = Plus(queries, FutureEmbedding(future!, rows));
        queries = queries.reshape(rows * _outputSegments, 1, hidden);
        var start = new RecurrentState(encoded.Hidden.repeat_interleave(_outputSegments, dim: 1),
            encoded.Cell?.repeat_interleave(_outputSegments, dim: 1));
        var (decoded, _) = rnn.Forward(queries, start);
        Tensor prediction = head.call(head_dropout.call(decoded.squeeze(1)));
        return prediction.reshape(rows, _outputSegments * _segmentLength, _outputs).narrow(1, 0, Architecture.Horizon);
    }

    // Each output segment's w steps of known-future features (zeros past the horizon), projected to d and added to its query.
    private Tensor FutureEmbedding(Tensor future, long rows)
    {
        long k = future.shape[2], padding = (long)_outputSegments * _segmentLength - Architecture.Horizon;
        if (padding > 0)
            future = torch.cat(new[] { future, torch.zeros(new[] { rows, padding, k }, future.dtype, future.device) }, dim: 1);
        return future_embedding!.call(future.reshape(rows, _outputSegments, _segmentLength * k));
    }
}
