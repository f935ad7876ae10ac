using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Networks.Layers;

/// <summary>
/// y = x·Wᵀ + b, like <c>nn.Linear</c> and with its state-dict keys (<c>weight</c> (out, in), <c>bias</c> (out)) and its
/// default initialisation (both from U(−1/√in, 1/√in)), but drawn from the network's own <see cref="ModuleRandom"/>
/// instead of torch's global generator.
/// </summary>
internal sealed class DenseLayer : nn.Module<Tensor, Tensor>
{
    // Named like their state-dict keys.
    private readonly Parameter weight;
    private readonly Parameter? bias;

    public DenseLayer(long inputs, long outputs, ModuleRandom random, bool hasBias = true) : base("Linear")
    {
        double bound = inputs > 0 ? 1 / Math.Sqrt(inputs) : 0;
        weight = new Parameter(random.Uniform(new[] { outputs, inputs }, bound));
        if (hasBias)
            bias = new Parameter(random.Uniform(new[] { outputs }, bound));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);
}
