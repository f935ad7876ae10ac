using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// Watches optimizer steps for a NaN or infinite loss or gradient. By default it never reads the device per step: a
/// one-element tensor on the device keeps the run index of the first such step, updated by a masked fill before each
/// update; from that step on every update is undone on the device (the weights stay those from before the bad step),
/// and the loop reads the tensor only every <see cref="CheckEverySteps"/> steps, to end the epoch early. With <see cref="Seq2SeqOptions.SkipNonFiniteSteps"/> each step's loss and
/// gradients are checked on the host before the update instead (one device read per step), so a bad step can be
/// skipped. Created once per Fit, outside any dispose scope; owns its tensor.
/// </summary>
internal sealed class NonFiniteStepMonitor : IDisposable
{
    private readonly Tensor _firstNonFiniteStep;
    private readonly List<long> _skippedThisEpoch = new();

    /// <summary>Steps between the loop's reads of the divergence flag in record mode (one device read each).</summary>
    public const int CheckEverySteps = 8;

    public NonFiniteStepMonitor(Device device, bool skipSteps)
    {
        SkipsSteps = skipSteps;
        _firstNonFiniteStep = Full(new long[] { 1 }, -1L, ScalarType.Int64, device);
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
        FillInPlace(_firstNonFiniteStep, -1L);
        _skippedThisEpoch.Clear();
    }

    /// <summary>Remembers <paramref name="step"/> if its loss or a gradient is not finite and no earlier step's was.
    /// Device work only, no synchronisation. Call inside the step's dispose scope, after backward, before the update.</summary>
    public void Record(Tensor stepLoss, IReadOnlyList<Parameter> parameters, long step)
    {
        using var _ = torch.no_grad();
        Tensor isFirst = AllFinite(stepLoss, parameters).logical_not().logical_and(LessThan(_firstNonFiniteStep, 0));
        MaskedFillInPlace(_firstNonFiniteStep, isFirst, step);
    }

    /// <summary>As <see cref="Record(Tensor, IReadOnlyList{Parameter}, long)"/>, from the gradients' squared global norm
    /// (NaN or infinite when any gradient is) instead of each gradient.</summary>
    public void Record(Tensor stepLoss, Tensor? squaredGradientNorm, long step)
    {
        using var _ = torch.no_grad();
        Tensor finite = stepLoss.isfinite().all();
        if (squaredGradientNorm is not null)
            finite = finite.logical_and(squaredGradientNorm.isfinite().all());
        MaskedFillInPlace(_firstNonFiniteStep, finite.logical_not().logical_and(LessThan(_firstNonFiniteStep, 0)), step);
    }

    /// <summary>Copies of the weights before an update, for <see cref="UndoUpdateIfDiverged"/>. Call inside the step's scope.</summary>
    public static Tensor[] HoldWeights(IReadOnlyList<Parameter> parameters)
    {
        using var _ = torch.no_grad();
        var held = new Tensor[parameters.Count];
        for (int i = 0; i < held.Length; i++)
            held[i] = parameters[i].detach().clone();
        return held;
    }

    /// <summary>Puts back the weights held before the update once a non-finite step has been recorded; no device read.</summary>
    public void UndoUpdateIfDiverged(IReadOnlyList<Parameter> parameters, Tensor[] held)
    {
        using var _ = torch.no_grad();
        Tensor diverged = AtLeast(_firstNonFiniteStep, 0);
        for (int i = 0; i < held.Length; i++)
            parameters[i].copy_(torch.where(diverged, held[i], parameters[i]));
    }

    /// <summary>
    /// Skip mode: true when the step's loss and every gradient are finite; otherwise counts the step as skipped.
    /// One device read. Call inside the step's dispose scope, after backward and before the optimizer step.
    /// </summary>
    public bool CheckStep(Tensor stepLoss, IReadOnlyList<Parameter> parameters, long step)
    {
        using var _ = torch.no_grad();
        if (ReadBoolean(AllFinite(stepLoss, parameters)))
            return true;
        _skippedThisEpoch.Add(step);
        SkippedTotal++;
        return false;
    }

    /// <summary>The 0-based run index of the epoch's first step with a non-finite loss, or null. One device read.</summary>
    public long? FirstNonFiniteStep()
    {
        using var scope = torch.NewDisposeScope();
        long step = ReadInt64(_firstNonFiniteStep);
        return step < 0 ? null : step;
    }

    public void Dispose() => _firstNonFiniteStep.Dispose();

    private static Tensor AllFinite(Tensor stepLoss, IReadOnlyList<Parameter> parameters)
    {
        Tensor finite = stepLoss.isfinite().all();
        foreach (Parameter parameter in parameters)
        {
            if (parameter.grad is Tensor gradient)
                finite = finite.logical_and(gradient.isfinite().all());
        }
        return finite;
    }
}
