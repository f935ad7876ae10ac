using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// Clips gradients by their global L2 norm entirely on the device. TorchSharp's clip_grad_norm_ returns the norm
/// as a double, which would force a device synchronisation every step.
/// </summary>
internal static class GradientClipping
{
    /// <summary>Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)) and returns ‖g‖² before scaling (null without
    /// gradients), still on the device. Call inside a dispose scope.</summary>
    public static Tensor? ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        var gradients = parameters.Select(p => p.grad).Where(g => g is not null).Cast<Tensor>().ToList();
        if (gradients.Count == 0)
            return null;
        using var _ = torch.no_grad();
        Tensor squaredNorm = torch.stack(gradients.Select(g => Power(g, 2).sum()).ToArray()).sum();
        Tensor scale = ClampMax(DividedBy(maxNorm, Plus(squaredNorm.sqrt(), 1e-6)), 1.0);
        foreach (Tensor gradient in gradients)
            gradient.mul_(scale);
        return squaredNorm;
    }
}
