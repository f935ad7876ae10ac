using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Networks.Layers;

/// <summary>
/// The private random generators of one network: one that draws its initial weights (in the order the modules are
/// built) and one per device that draws its dropout masks. Nothing here touches torch's process-wide generator, so
/// another thread that builds TorchSharp modules or draws random numbers cannot change this network's weights or
/// masks, and this network cannot change theirs. One network is trained by one Fit at a time; scoring runs in eval
/// mode and draws nothing.
/// </summary>
/// <remarks>
/// TorchSharp's GRU and LSTM are native modules whose constructors fill their weights from torch's global generator;
/// <c>RecurrentLayers</c> redraws every one of them with <see cref="DrawUniform"/> and puts the global generator's
/// state back, so those global draws never reach the network or the caller.
/// </remarks>
internal sealed class ModuleRandom : IDisposable
{
    private readonly Generator _initialization;
    private readonly Dictionary<(DeviceType Type, int Index), Generator> _dropout = new();
    private long _dropoutSeed;
    private bool _disposed;

    /// <summary>Generators for a network whose initial weights come from <paramref name="seed"/> alone.</summary>
    public ModuleRandom(long seed)
    {
        _initialization = new Generator(unchecked((ulong)seed));
        _dropoutSeed = seed;
    }

    /// <summary>Fills <paramref name="tensor"/> in place from U(−bound, bound), without recording the draw for autograd.</summary>
    public void DrawUniform(Tensor tensor, double bound)
    {
        using var noGrad = torch.no_grad();
        tensor.uniform_(-bound, bound, _initialization);
    }

    /// <summary>A new (shape) tensor from U(−bound, bound): PyTorch's default for Linear and recurrent weights, with
    /// bound = 1/√fan-in.</summary>
    public Tensor Uniform(long[] shape, double bound)
    {
        Tensor tensor = torch.empty(shape);
        DrawUniform(tensor, bound);
        return tensor;
    }

    /// <summary>A new (shape) tensor from N(0, 1).</summary>
    public Tensor StandardNormal(params long[] shape)
    {
        Tensor tensor = torch.empty(shape);
        using var noGrad = torch.no_grad();
        return tensor.normal_(0, 1, _initialization);
    }

    /// <summary>Restarts the dropout masks from <paramref name="seed"/> on every device: the loop calls it before each
    /// micro-batch with a seed derived from the Fit's seed and the micro-batch's place in the run
    /// (<see cref="Native.RandomSeeds.ForStep"/>), so a resumed run draws what the original did.</summary>
    public void ReseedDropout(long seed)
    {
        _dropoutSeed = seed;
        foreach (Generator generator in _dropout.Values)
            generator.manual_seed(seed);
    }

    /// <summary><paramref name="input"/> with each element zeroed with probability <paramref name="probability"/> and the
    /// rest scaled by 1/(1 − p): inverted dropout, the mask drawn from this network's generator on the input's device.</summary>
    public Tensor Drop(Tensor input, double probability)
    {
        using var scope = torch.NewDisposeScope();
        Tensor keep = torch.empty_like(input).bernoulli_(1 - probability, DropoutGenerator(input.device));
        using Tensor scaled = DividedBy(keep, 1 - probability);
        return input.mul(scaled).MoveToOuterDisposeScope();
    }

    private Generator DropoutGenerator(Device device)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var key = (device.type, device.index);
        if (!_dropout.TryGetValue(key, out Generator? generator))
        {
            generator = new Generator(0, device);
            generator.manual_seed(_dropoutSeed);
            _dropout.Add(key, generator);
        }
        return generator;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _initialization.Dispose();
        foreach (Generator generator in _dropout.Values)
            generator.Dispose();
        _dropout.Clear();
    }
}
