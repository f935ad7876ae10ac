using System;
using System.Linq;
using MLNetSeq2Seq.Networks.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Networks.PatchTransformer;

/// <summary>
/// A patch Transformer encoder with a flatten head (the idea of PatchTST, Nie et al. 2023). The last L steps of a window
/// (L the architecture's lookback) are padded at the end by repeating the last step S times and cut into
/// N = ⌊(L − P)/S⌋ + 2 patches of P steps, S apart; each patch's P·F values are embedded by Linear(P·F → d), a learned
/// position embedding (N, d) is added, then Dropout, the encoder layers (<see cref="PatchEncoderLayer"/>), a final
/// LayerNorm, and the head: the N·d values flattened, Dropout, Linear(N·d → H·O). Inside
/// <see cref="ChannelIndependentNetwork"/> (F = O = 1) every channel is its own row sharing the weights, as in PatchTST;
/// instance normalisation around it plays PatchTST's RevIN.
/// </summary>
internal sealed class PatchTransformerNetwork : SequenceNetwork
{
    // Named like their state-dict keys.
    private readonly DenseLayer patch_embedding;
    private readonly Parameter position_embedding;
    private readonly MaskDropout embedding_dropout;
    private readonly ModuleList<PatchEncoderLayer> layers;
    private readonly LayerNorm final_norm;
    private readonly MaskDropout head_dropout;
    private readonly DenseLayer head;
    private readonly long[] _steps;
    private readonly int _lookback;
    private readonly int _patches;
    private readonly int _patchLength;
    private readonly int _inputs;
    private readonly int _outputs;

    public PatchTransformerNetwork(NetworkArchitecture architecture, ModuleRandom random) : base(nameof(PatchTransformerNetwork), architecture, random)
    {
        if (architecture.FamilyFields is not PatchTransformerFields fields)
            throw new ArgumentException($"{nameof(NetworkFamily)}.{NetworkFamily.PatchTransformer} needs its own architecture fields.", nameof(architecture));
        if (architecture.Lookback < fields.PatchLength)
            throw new ArgumentException(architecture.Lookback < 1
                ? $"{nameof(NetworkFamily)}.{NetworkFamily.PatchTransformer} shapes its head by the window length, but the training windows have no single length: give the feature column a fixed size (windows of one length)."
                : $"{nameof(Seq2SeqOptions.FamilyOptions)}.{nameof(PatchTransformerOptions.PatchLength)} = {fields.PatchLength} is longer than the windows ({architecture.Lookback} steps): use a shorter patch or longer windows.", nameof(architecture));
        (_inputs, _outputs) = architecture.FamilyFeatureCounts;
        _lookback = architecture.Lookback;
        _patchLength = fields.PatchLength;
        _patches = fields.PatchCount(_lookback);
        _steps = fields.StepIndices(_lookback);
        int d = architecture.HiddenSize;
        patch_embedding = new DenseLayer((long)_patchLength * _inputs, d, random);
        position_embedding = new Parameter(random.Uniform(new long[] { _patches, d }, 0.02));
        embedding_dropout = new MaskDropout(architecture.Dropout, random);
        layers = nn.ModuleList(Enumerable.Range(0, architecture.LayerCount)
            .Select(_ => new PatchEncoderLayer(d, fields.HeadCount, fields.FeedForwardSize, architecture.Dropout, random)).ToArray());
        final_norm = nn.LayerNorm(d);
        head_dropout = new MaskDropout(architecture.Dropout, random);
        head = new DenseLayer((long)_patches * d, (long)architecture.Horizon * _outputs, random);
        RegisterComponents();
    }

    public override Tensor forward(SequenceInput input)
    {
        Tensor recent = RecentSteps(input, _lookback, _inputs);
        long rows = recent.shape[0];
        using Tensor steps = torch.tensor(_steps, device: recent.device);
        Tensor patches = recent.index_select(1, steps).reshape(rows, _patches, (long)_patchLength * _inputs);
        Tensor tokens = embedding_dropout.call(Plus(patch_embedding.call(patches), position_embedding));
        foreach (PatchEncoderLayer layer in layers)
            tokens = layer.call(tokens);
        Tensor flat = final_norm.call(tokens).reshape(rows, -1);
        return head.call(head_dropout.call(flat)).reshape(rows, Architecture.Horizon, _outputs);
    }
}
