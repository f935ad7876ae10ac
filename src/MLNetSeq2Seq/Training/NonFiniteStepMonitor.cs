using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// Watches optimizer steps for a NaN or infinite loss. By default it never reads the device per step: a one-element
/// tensor on the device keeps the run index of the first such step, updated by a masked fill after each step and read
/// once per epoch, with the epoch's loss. With <see cref="Seq2SeqOptions.SkipNonFiniteSteps"/> each step's loss and
/// gradients are checked on the host before the update instead (one device read per step), so a bad step can be
/// skipped. Created once per Fit, outside any dispose scope; owns its tensor.
/// </summary>
internal sealed class NonFiniteStepMonitor : IDisposable
{
    private readonly Tensor _firstNonFiniteStep;
    private readonly List<long> _skippedThisEpoch = new();

    public NonFiniteStepMonitor(Device device, bool skipSteps)
    {
        SkipsSteps = skipSteps;
        _firstNonFiniteStep = torch.full(new long[] { 1 }, -1L, dtype: ScalarType.Int64, device: device);
    }

    /// <summary>Whether steps are checked (and skipped) one by one, rather than recorded on the device.</summary>
    public bool SkipsSteps { get; }

    /// <summary>The 0-based run indices of the steps skipped in the current epoch.</summary>
    public IReadOnlyList<long> SkippedThisEpoch => _skippedThisEpoch;

    /// <summary>All steps skipped so far in this Fit.</summary>
    public long SkippedTotal { get; private set; }

    public void StartEpoch()
    {
        using var scope = torch.NewDisposeScope();
        _firstNonFiniteStep.fill_(-1L);
        _skippedThisEpoch.Clear();
    }

    /// <summary>Remembers <paramref name="step"/> if its loss is not finite and no earlier step's was. Device work
    /// only, no synchronisation. Call inside the step's dispose scope.</summary>
    public void Record(Tensor stepLoss, long step)
    {
        using var _ = torch.no_grad();
        Tensor isFirst = stepLoss.isfinite().all().logical_not().logical_and(_firstNonFiniteStep.lt(0));
        _firstNonFiniteStep.masked_fill_(isFirst, step);
    }

    /// <summary>
    /// Skip mode: true when the step's loss and every gradient are finite; otherwise counts the step as skipped.
    /// One device read. Call inside the step's dispose scope, after backward and before the optimizer step.
    /// </summary>
    public bool CheckStep(Tensor stepLoss, IReadOnlyList<Parameter> parameters, long step)
    {
        using var _ = torch.no_grad();
        Tensor finite = stepLoss.isfinite().all();
        foreach (Parameter parameter in parameters)
        {
            if (parameter.grad is Tensor gradient)
                finite = finite.logical_and(gradient.isfinite().all());
        }
        if (finite.ToBoolean())
            return true;
        _skippedThisEpoch.Add(step);
        SkippedTotal++;
        return false;
    }

    /// <summary>The 0-based run index of the epoch's first step with a non-finite loss, or null. One device read.</summary>
    public long? FirstNonFiniteStep()
    {
        using var scope = torch.NewDisposeScope();
        long step = _firstNonFiniteStep.ToInt64();
        return step < 0 ? null : step;
    }

    public void Dispose() => _firstNonFiniteStep.Dispose();
}
