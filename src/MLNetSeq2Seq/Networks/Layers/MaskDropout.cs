using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Networks.Layers;

/// <summary>Inverted dropout in training mode (<see cref="ModuleRandom.Drop"/>), the identity in eval mode: like
/// <c>nn.Dropout</c>, but its masks come from the network's own generator.</summary>
internal sealed class MaskDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _probability;
    private readonly ModuleRandom _random;

    public MaskDropout(double probability, ModuleRandom random) : base("Dropout")
    {
        _probability = probability;
        _random = random;
    }

    public override Tensor forward(Tensor input) =>
        training && _probability > 0 ? _random.Drop(input, _probability) : input.alias();
}
