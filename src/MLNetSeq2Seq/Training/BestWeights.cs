using System;
using System.Collections.Generic;
using System.Linq;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// A copy of a module's state (parameters and buffers), kept on the module's device, that early stopping captures
/// at the best epoch and restores at the end. Allocated once, outside any dispose scope; disposed by its owner.
/// </summary>
internal sealed class BestWeights : IDisposable
{
    private readonly Dictionary<string, Tensor> _copies = new();

    public BestWeights(nn.Module module)
    {
        // In a scope: detach() makes a handle too, and without a scope it would outlive this object.
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            Tensor copy = tensor.detach().clone();
            copy.DetachFromDisposeScope();
            _copies[name] = copy;
        }
    }

    public bool HasCapture { get; private set; }

    /// <summary>The epoch whose weights were captured last (0 when unknown or none).</summary>
    public int CapturedEpoch { get; private set; }

    public void Capture(nn.Module module, int epoch = 0)
    {
        CopyState(module, toModule: false);
        CapturedEpoch = epoch;
    }

    /// <summary>Captures the module's state if every value is finite (one device read); returns whether it did.</summary>
    public bool CaptureIfFinite(nn.Module module, int epoch)
    {
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            Tensor finite = torch.tensor(true, device: _copies.Values.First().device);
            foreach (var (_, tensor) in module.state_dict())
                finite = finite.logical_and(tensor.isfinite().all());
            if (!TensorScalars.ReadBoolean(finite))
                return false;
        }
        Capture(module, epoch);
        return true;
    }

    public void Restore(nn.Module module)
    {
        if (!HasCapture)
            throw new InvalidOperationException("No weights were captured.");
        CopyState(module, toModule: true);
    }

    private void CopyState(nn.Module module, bool toModule)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (toModule)
                tensor.copy_(_copies[name]);
            else
                _copies[name].copy_(tensor);
        }
        HasCapture = true;
    }

    /// <summary>The captured weights as a TorchSharp state-dict blob (through a scratch network of the same architecture).</summary>
    public byte[] Serialize(NetworkArchitecture architecture)
    {
        using var scratch = NetworkFactory.Create(architecture);
        Restore(scratch);
        return TrainingCheckpoint.SaveModule(scratch);
    }

    /// <summary>Captures the weights of a blob written by <see cref="Serialize"/>, as those of <paramref name="epoch"/>.</summary>
    public void Deserialize(NetworkArchitecture architecture, byte[] state, int epoch)
    {
        using var scratch = NetworkFactory.Create(architecture);
        TrainingCheckpoint.LoadModule(scratch, state);
        Capture(scratch, epoch);
    }

    public void Dispose()
    {
        foreach (Tensor copy in _copies.Values)
            copy.Dispose();
        _copies.Clear();
    }
}
