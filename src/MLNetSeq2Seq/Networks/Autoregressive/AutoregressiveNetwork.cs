using System;
using System.Collections.Generic;
using MLNetSeq2Seq.Networks.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Networks.Autoregressive;

/// <summary>
/// The encoder-decoder. The encoder (GRU/LSTM, optionally bidirectional) reads the input sequence; the decoder,
/// started from the encoder's final state, predicts Horizon steps one at a time, each step fed the previous
/// prediction (or, in training with teacher forcing, the previous true target). The first decoder input is a
/// learned projection of the last observed input step (the anchor); with residual decoding each step predicts a
/// correction to it. With known-future inputs (K &gt; 0), step t's input also holds the K features of forecast step t. Optional attention over the encoder outputs. Inside a <see cref="ChannelIndependentNetwork"/> it
/// sees one feature per step and ignores which channel a row is.
/// </summary>
internal sealed class AutoregressiveNetwork : SequenceNetwork
{
    // Fields are named like their state-dict keys.
    private readonly RecurrentStack encoder;
    private readonly DenseLayer? bridge_hidden;
    private readonly DenseLayer? bridge_cell;
    private readonly DenseLayer start;
    private readonly RecurrentStack decoder;
    private readonly DecoderAttention? attention;
    private readonly DenseLayer? combine;
    private readonly MaskDropout output_dropout;
    private readonly DenseLayer head;

    public AutoregressiveNetwork(NetworkArchitecture architecture, ModuleRandom random) : base(nameof(AutoregressiveNetwork), architecture, random)
    {
        var (inputs, outputs) = architecture.FamilyFeatureCounts;
        int hidden = architecture.HiddenSize;
        int directions = architecture.Bidirectional ? 2 : 1;
        encoder = new RecurrentStack(nameof(encoder), architecture.Cell, inputs, hidden,
            architecture.LayerCount, architecture.Dropout, architecture.Bidirectional, random);
        if (architecture.Bidirectional)
        {
            bridge_hidden = new DenseLayer(2 * hidden, hidden, random);
            if (architecture.Cell == RecurrentCellType.Lstm)
                bridge_cell = new DenseLayer(2 * hidden, hidden, random);
        }
        start = new DenseLayer(inputs, outputs, random);
        // Each decoder step reads the previous value and, with known-future inputs, the K features of the step it predicts.
        decoder = new RecurrentStack(nameof(decoder), architecture.Cell, outputs + architecture.FutureFeatureCount, hidden,
            architecture.LayerCount, architecture.Dropout, bidirectional: false, random);
        if (architecture.Attention != AttentionKind.None)
        {
            attention = new DecoderAttention(nameof(attention), architecture.Attention, directions * hidden, hidden, random);
            combine = new DenseLayer(hidden + directions * hidden, hidden, random);
        }
        output_dropout = new MaskDropout(architecture.Dropout, random);
        head = new DenseLayer(hidden, outputs, random);
        RegisterComponents();
    }

    /// <summary>
    /// Predicts (N, Horizon, O) from <c>Features</c> (N, L, F). With <c>Lengths</c> (N, int64,
    /// on the CPU) rows are right-padded sequences of those lengths: the encoder packs them, attention ignores the
    /// padding and the decoder starts from each row's last real step, so a row's prediction does not depend on what
    /// it is batched with. With <c>TeacherTargets</c> (N, Horizon, O), decoder step t+1 is fed the true
    /// target of step t where <c>TeacherForcedSteps</c>[t] is true; otherwise, and always without
    /// targets, it is fed its own prediction — exactly as at inference.
    /// </summary>
    public override Tensor forward(SequenceInput sequence)
    {
        var (features, lengths, teacherTargets, teacherForcedSteps, channels, future) = sequence;
        int inputs = Architecture.FamilyFeatureCounts.Inputs;
        if (features.dim() != 3 || features.shape[2] != inputs)
            throw new ArgumentException($"Expected features shaped (N, L, {inputs}), got ({string.Join(", ", features.shape)}).", nameof(features));
        CheckFuture(features, future);

        var (encoderOutputs, encoderState) = encoder.Forward(features, null, lengths);
        RecurrentState state = BridgeDirections(encoderState, features.shape[0]);
        Tensor? keys = attention?.PrepareKeys(encoderOutputs);
        Tensor? padding = null;
        Tensor lastStep = LastSteps.Of(features, lengths);
        if (lengths is not null)
            padding = Range(features.shape[1], features.device).unsqueeze(0) >= lengths.to(features.device).unsqueeze(1);

        // The anchor: a learned projection of the last observed step, the decoder's first input. With residual
        // decoding every prediction is the anchor plus a correction, so persistence costs the network nothing to express.
        Tensor anchor = start.call(lastStep);
        Tensor input = anchor.unsqueeze(1);
        var steps = new List<Tensor>(Architecture.Horizon);
        for (int t = 0; t < Architecture.Horizon; t++)
        {
            if (future is not null)
                input = torch.cat(new[] { input, future.narrow(1, t, 1) }, dim: 2);
            var (decoderOutput, nextState) = decoder.Forward(input, state);
            state = nextState;
            Tensor query = decoderOutput.squeeze(1);
            if (attention is not null)
            {
                Tensor context = attention.Context(query, keys!, encoderOutputs, padding);
                query = torch.tanh(combine!.call(torch.cat(new[] { query, context }, dim: 1)));
            }
            Tensor correction = head.call(output_dropout.call(query));
            Tensor prediction = Architecture.ResidualDecoding ? Plus(anchor, correction) : correction;
            steps.Add(prediction);
            bool feedTruth = teacherTargets is not null && teacherForcedSteps is not null && teacherForcedSteps[t];
            input = (feedTruth ? teacherTargets![.., t, ..] : prediction).unsqueeze(1);
        }
        return torch.stack(steps, dim: 1);
    }

    // A bidirectional encoder's state is (layers × 2, N, H); the decoder wants (layers, N, H): concatenate the two
    // directions per layer and project.
    private RecurrentState BridgeDirections(RecurrentState state, long batch)
    {
        if (bridge_hidden is null)
            return state;
        int layers = Architecture.LayerCount, hidden = Architecture.HiddenSize;
        Tensor Merge(Tensor s, DenseLayer bridge) =>
            torch.tanh(bridge.call(s.view(layers, 2, batch, hidden).permute(0, 2, 1, 3).reshape(layers, batch, 2 * hidden)));
        return new RecurrentState(Merge(state.Hidden, bridge_hidden), state.Cell is null ? null : Merge(state.Cell, bridge_cell!));
    }
}
