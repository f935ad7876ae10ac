using System;

namespace MLNetSeq2Seq.Bench;

/// <summary>The library's own training-step pieces the raw loop can run in place of TorchSharp's, for the loop-parts figure.</summary>
[Flags]
internal enum RawLoopParts
{
    /// <summary>TorchSharp's clip_grad_norm_ and AdamW: the plain loop of figure 1.</summary>
    None = 0,

    /// <summary>The library's global-norm clipping (GradientClipping.ClipByGlobalNorm), which also returns the squared norm.</summary>
    OwnClipping = 1,

    /// <summary>The library's AdamW step (AdamWOptimizer) instead of torch.optim.AdamW.</summary>
    OwnAdamWStep = 2,

    /// <summary>The divergence watch as Fit runs it by default: hold the weights, record a non-finite loss or norm on the
    /// device, undo the update once one was seen, one read at the end of the epoch.</summary>
    DivergenceWatch = 4,
}
