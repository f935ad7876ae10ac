using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// The hand-written side's network: what src/MLNetSeq2Seq/Networks/SequenceNetwork.cs builds for W1 (GRU, no
/// attention, no dropout, unidirectional), written directly against TorchSharp. Modules are created in the same
/// order as the component's, so the same torch seed gives the same initial weights: GRU encoder, a linear start
/// projection of the last input step, GRU decoder fed the previous target (teacher forcing 1.0), a linear head.
/// </summary>
internal sealed class RawSequenceNetwork : nn.Module
{
    private readonly GRU encoder;
    private readonly Linear start;
    private readonly GRU decoder;
    private readonly Linear head;
    private readonly int _horizon;

    public RawSequenceNetwork(int inputFeatures, int outputFeatures, int hidden, int layers, int horizon) : base(nameof(RawSequenceNetwork))
    {
        _horizon = horizon;
        encoder = nn.GRU(inputFeatures, hidden, layers, bias: true, batchFirst: true);
        start = nn.Linear(inputFeatures, outputFeatures);
        decoder = nn.GRU(outputFeatures, hidden, layers, bias: true, batchFirst: true);
        head = nn.Linear(hidden, outputFeatures);
        RegisterComponents();
    }

    /// <summary>(N, L, F) → (N, Horizon, O); decoder step t + 1 is fed the true target of step t, or without
    /// <paramref name="targets"/> its own prediction (inference).</summary>
    public Tensor Forward(Tensor features, Tensor? targets = null)
    {
        var (_, state) = encoder.forward(features);
        Tensor input = start.forward(features[.., -1, ..]).unsqueeze(1);
        var steps = new List<Tensor>(_horizon);
        for (int t = 0; t < _horizon; t++)
        {
            var (output, next) = decoder.forward(input, state);
            state = next;
            Tensor prediction = head.forward(output.squeeze(1));
            steps.Add(prediction);
            input = (targets is null ? prediction : targets[.., t, ..]).unsqueeze(1);
        }
        return torch.stack(steps, dim: 1);
    }
}
